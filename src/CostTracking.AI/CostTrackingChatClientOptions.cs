using Microsoft.Extensions.Options;

namespace CostTracking.AI;

/// <summary>Options of the cost tracking chat client added by <c>UseCostTracking</c>.</summary>
public sealed class CostTrackingChatClientOptions
{
    /// <summary>Gets or sets the feature calls are recorded under when they do not name one in <see cref="CostTrackingChatKeys.Feature"/>.</summary>
    /// <value>The default value is <c>chat</c>; not empty, at most 256 characters.</value>
    public string Feature { get; set; } = ChatTrackingDefaults.Feature;

    /// <summary>Gets or sets a value indicating whether each recorded call counts as a billable run of your product.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IsBillableRun { get; set; }

    /// <summary>Gets or sets a value indicating whether <c>UsageDetails.InputTokenCount</c> already counts the cached input tokens.</summary>
    /// <value>
    /// The default value is <see langword="true"/>: the contract Microsoft.Extensions.AI documents for
    /// <c>UsageDetails.CachedInputTokenCount</c>, which its OpenAI client follows. Set it to <see langword="false"/> for a client that reports input tokens the way
    /// Anthropic's Messages API does (<c>input_tokens</c> without the cache reads): the cached tokens are then added
    /// to the input before pricing.
    /// </value>
    public bool InputTokenCountIncludesCached { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether a call to a model the price registry does not know is still recorded, flagged as unpriced.</summary>
    /// <value>
    /// The default value is <see langword="false"/>: such a call is a tracking failure (logged as an error and
    /// counted, nothing recorded; thrown only with <see cref="ThrowOnTrackingFailure"/>). When <see langword="true"/>
    /// it is recorded with cost 0 and metadata <c>unpriced = true</c>, logged as a warning and counted in
    /// <c>costtracking.ai.unpriced_calls</c>, so its token counts are kept to price later. Never silently free.
    /// </value>
    public bool RecordUnpricedCalls { get; set; }

    /// <summary>Gets or sets a value indicating whether a call with no user (no <see cref="CostTrackingScope"/> and no <see cref="CostTrackingChatKeys.UserId"/>) is refused.</summary>
    /// <value>
    /// The default value is <see langword="false"/>: the call goes through unrecorded, with a warning and a count in
    /// <c>costtracking.ai.untracked_calls</c>. When <see langword="true"/> it throws <see cref="InvalidOperationException"/>
    /// before the request is sent, so no untracked money is spent.
    /// </value>
    public bool RequireUser { get; set; }

    /// <summary>Gets or sets a value indicating whether a failure to track a call (no price, no usage reported, a store error) is thrown to the caller.</summary>
    /// <value>
    /// The default value is <see langword="false"/>: the failure is logged as an error and counted in
    /// <c>costtracking.ai.untracked_calls</c>, and the caller gets its response. When <see langword="true"/> the exception
    /// reaches the caller instead of the response (the provider has already been paid).
    /// </value>
    public bool ThrowOnTrackingFailure { get; set; }

    internal void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Feature))
        {
            errors.Add($"{nameof(CostTrackingChatClientOptions)}.{nameof(Feature)} must not be empty.");
        }
        else if (Feature.Length > ChatTrackingDefaults.MaxNameLength || Feature.Any(char.IsControl))
        {
            errors.Add($"{nameof(CostTrackingChatClientOptions)}.{nameof(Feature)} must be at most {ChatTrackingDefaults.MaxNameLength} characters without control characters (value: '{Feature}').");
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(CostTrackingChatClientOptions), errors);
        }
    }
}

/// <summary>The defaults of the chat client's options, in one place.</summary>
internal static class ChatTrackingDefaults
{
    public const string Feature = "chat";
    public const string UnknownProvider = "unknown";
    public const int MaxNameLength = 256;
}
