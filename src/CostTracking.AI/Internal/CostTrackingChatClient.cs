using System.Runtime.CompilerServices;
using CostTracking.Pricing;
using CostTracking.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CostTracking.AI.Internal;

/// <summary>Prices the token usage of every response through the registry and records it as an <see cref="UsageType.AIUsage"/> operation.</summary>
internal sealed class CostTrackingChatClient : DelegatingChatClient
{
    private readonly ICostTracker _tracker;
    private readonly IPriceRegistry _prices;
    private readonly CostTrackingChatClientOptions _options;
    private readonly ILogger _logger;
    private ChatClientMetadata? _metadata;

    public CostTrackingChatClient(IChatClient innerClient, ICostTracker tracker, IPriceRegistry prices, CostTrackingChatClientOptions options, ILogger logger)
        : base(innerClient)
    {
        _tracker = tracker;
        _prices = prices;
        _options = options;
        _logger = logger;
    }

    private ChatClientMetadata? Metadata => _metadata ??= InnerClient.GetService<ChatClientMetadata>();

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = BeginCall(options, out var forwarded);
        var response = await base.GetResponseAsync(messages, forwarded, cancellationToken).ConfigureAwait(false);
        await TrackAsync(call, response.ModelId, response.Usage, streaming: false, quiet: false).ConfigureAwait(false);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = BeginCall(options, out var forwarded);
        UsageDetails? usage = null;
        string? modelId = null;
        var tracked = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, forwarded, cancellationToken).ConfigureAwait(false))
            {
                modelId = update.ModelId ?? modelId;
                foreach (var content in update.Contents)
                {
                    // Usage may come in parts (input at the start, output at the end): add them up as ToChatResponse does.
                    if (content is UsageContent { Details: { } details })
                    {
                        (usage ??= new UsageDetails()).Add(details);
                    }
                }

                yield return update;
            }

            tracked = true;
            await TrackAsync(call, modelId, usage, streaming: true, quiet: false).ConfigureAwait(false);
        }
        finally
        {
            // The consumer stopped early or the stream failed after usage arrived: the tokens were still paid for.
            if (!tracked && usage is not null)
            {
                await TrackAsync(call, modelId, usage, streaming: true, quiet: true).ConfigureAwait(false);
            }
            else if (!tracked && !call.Reported && call.UserId is not null)
            {
                // Stopped before usage arrived: the provider may still bill the call, but there is nothing to price.
                // Not silent: a warning and an untracked count, so a gap in the numbers can be explained.
                var model = modelId ?? call.RequestedModel ?? Metadata?.DefaultModelId ?? "(unknown)";
                ChatTrackingLog.StreamEndedWithoutUsage(_logger, model, call.UserId);
                ChatTrackingMetrics.Untracked("incomplete_stream", model);
            }
        }
    }

    /// <summary>Works out whom the call is recorded for, before it is sent, and strips the tracking keys from the options passed on.</summary>
    private ChatCall BeginCall(ChatOptions? options, out ChatOptions? forwarded)
    {
        forwarded = options;
        var properties = options?.AdditionalProperties;
        var requestedModel = options?.ModelId;
        string? userId = null;
        string? sessionId = null;
        string? feature = null;
        if (properties is not null
            && (properties.ContainsKey(CostTrackingChatKeys.UserId) || properties.ContainsKey(CostTrackingChatKeys.SessionId) || properties.ContainsKey(CostTrackingChatKeys.Feature)))
        {
            forwarded = options!.Clone();
            forwarded.AdditionalProperties!.Remove(CostTrackingChatKeys.UserId);
            forwarded.AdditionalProperties.Remove(CostTrackingChatKeys.SessionId);
            forwarded.AdditionalProperties.Remove(CostTrackingChatKeys.Feature);
        }

        try
        {
            if (properties is not null)
            {
                userId = Read(properties, CostTrackingChatKeys.UserId);
                sessionId = Read(properties, CostTrackingChatKeys.SessionId);
                feature = Read(properties, CostTrackingChatKeys.Feature);
            }

            if (userId is not null)
            {
                UsageIds.ThrowIfInvalid(userId, $"ChatOptions.AdditionalProperties[\"{CostTrackingChatKeys.UserId}\"]");
            }
            else if (CostTrackingScope.Current is { } scope)
            {
                userId = scope.UserId;
                sessionId ??= scope.SessionId;
            }

            if (sessionId is not null)
            {
                UsageIds.ThrowIfInvalid(sessionId, $"ChatOptions.AdditionalProperties[\"{CostTrackingChatKeys.SessionId}\"]");
            }
        }
        catch (ArgumentException ex)
        {
            TrackingFailed(ex, requestedModel, userId);
            if (_options.ThrowOnTrackingFailure)
            {
                throw;
            }

            return new ChatCall(null, null, string.Empty, requestedModel, Reported: true);
        }

        if (userId is null && _options.RequireUser)
        {
            throw new InvalidOperationException(
                $"This chat call has no user to record its cost for: begin a CostTrackingScope (tracker.BeginScope(userId)) or set ChatOptions.AdditionalProperties[\"{CostTrackingChatKeys.UserId}\"]. It was not sent ({nameof(CostTrackingChatClientOptions)}.{nameof(CostTrackingChatClientOptions.RequireUser)} is true).");
        }

        return new ChatCall(userId, sessionId, feature ?? _options.Feature, requestedModel, Reported: false);
    }

    private static string? Read(AdditionalPropertiesDictionary properties, string key) =>
        !properties.TryGetValue(key, out var value) ? null
        : value as string ?? throw new ArgumentException(
            $"ChatOptions.AdditionalProperties[\"{key}\"] must be a string (value: {value ?? "null"}).", $"ChatOptions.AdditionalProperties[\"{key}\"]");

    private async ValueTask TrackAsync(ChatCall call, string? responseModel, UsageDetails? usage, bool streaming, bool quiet)
    {
        var modelId = responseModel ?? call.RequestedModel ?? Metadata?.DefaultModelId;
        if (call.Reported)
        {
            return;
        }

        if (call.UserId is null)
        {
            ChatTrackingLog.NoUser(_logger, modelId ?? "(unknown)");
            ChatTrackingMetrics.Untracked("no_user", modelId);
            return;
        }

        try
        {
            var record = CreateRecord(call, modelId, usage, streaming);

            // The tokens are spent whatever happens to the caller's token now, so recording is not cancelled with it.
            await _tracker.RecordUsageAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A tracking failure must not break the chat call unless the app opted in.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TrackingFailed(ex, modelId, call.UserId);
            if (_options.ThrowOnTrackingFailure && !quiet)
            {
                throw;
            }
        }
    }

    private UsageRecord CreateRecord(ChatCall call, string? modelId, UsageDetails? usage, bool streaming)
    {
        if (usage is null || (usage.InputTokenCount is null && usage.OutputTokenCount is null))
        {
            throw new InvalidOperationException(
                $"The response of model '{modelId ?? "(unknown)"}' reported no token usage, so its cost is unknown and it was not recorded. Make the chat client report usage (for streaming OpenAI calls, usage must be requested).");
        }

        var cached = usage.CachedInputTokenCount ?? 0;
        var input = usage.InputTokenCount ?? 0;
        var output = usage.OutputTokenCount ?? 0;
        if (!_options.InputTokenCountIncludesCached)
        {
            input += cached;
        }
        else if (cached > input)
        {
            throw new InvalidOperationException(
                $"The response of model '{modelId ?? "(unknown)"}' reported {cached} cached input tokens but only {input} input tokens: input tokens should count the cached ones. If this chat client reports them apart, set {nameof(CostTrackingChatClientOptions)}.{nameof(CostTrackingChatClientOptions.InputTokenCountIncludesCached)} to false.");
        }

        var metadata = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["model"] = modelId,
            ["inputTokens"] = input,
            ["cachedInputTokens"] = cached,
            ["outputTokens"] = output,
        };
        if (usage.ReasoningTokenCount is { } reasoning)
        {
            metadata["reasoningTokens"] = reasoning;
        }

        if (streaming)
        {
            metadata["streaming"] = true;
        }

        decimal cost;
        string provider;
        if (modelId is not null && _prices.TryGetModelPrice(modelId, out var price))
        {
            cost = price.CalculateCost(input, output, cached);
            provider = price.Provider;
        }
        else if (_options.RecordUnpricedCalls)
        {
            cost = 0m;
            provider = Metadata?.ProviderName is { Length: > 0 } name ? name : ChatTrackingDefaults.UnknownProvider;
            metadata["unpriced"] = true;
            ChatTrackingLog.Unpriced(_logger, modelId ?? "(unknown)", call.UserId!);
            ChatTrackingMetrics.Unpriced(modelId);
        }
        else if (modelId is null)
        {
            throw new InvalidOperationException(
                "Neither the response nor ChatOptions.ModelId nor the chat client's metadata names the model, so the call cannot be priced. Set ChatOptions.ModelId.");
        }
        else
        {
            throw new PriceNotFoundException(
                modelId,
                $"No price is registered for model '{modelId}', so the call was not recorded (an unknown price is never taken as free). Add it under CostTracking:Pricing:Models, or set {nameof(CostTrackingChatClientOptions)}.{nameof(CostTrackingChatClientOptions.RecordUnpricedCalls)} to record such calls flagged as unpriced.");
        }

        return new UsageRecord
        {
            UserId = call.UserId!,
            SessionId = call.SessionId,
            UsageType = UsageType.AIUsage,
            Feature = call.Feature,
            Provider = provider,
            Cost = cost,
            IsBillableRun = _options.IsBillableRun,
            Metadata = metadata,
        };
    }

    private void TrackingFailed(Exception ex, string? modelId, string? userId)
    {
        ChatTrackingLog.TrackingFailed(_logger, ex, modelId ?? "(unknown)", userId ?? "(none)");
        ChatTrackingMetrics.Untracked("failed", modelId);
    }

    /// <summary>Whom one call is recorded for; <paramref name="Reported"/> when its tracking already failed before it was sent.</summary>
    private readonly record struct ChatCall(string? UserId, string? SessionId, string Feature, string? RequestedModel, bool Reported);
}
