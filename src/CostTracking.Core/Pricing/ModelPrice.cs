namespace CostTracking.Pricing;

/// <summary>The per-token price of an AI model, in US dollars per million tokens.</summary>
/// <param name="ModelId">The model id, such as <c>gpt-4o</c>; versioned ids such as <c>gpt-4o-2024-08-06</c> resolve to it.</param>
/// <param name="Provider">The provider that bills the model, such as <c>openai</c>.</param>
/// <param name="InputPerMillion">The price of one million uncached input tokens.</param>
/// <param name="OutputPerMillion">The price of one million output tokens.</param>
/// <param name="CachedInputPerMillion">The price of one million input tokens read from the prompt cache, or <see langword="null"/> when the model has no cached rate (cached tokens then cost the input rate).</param>
/// <param name="EffectiveDate">The day the price took effect.</param>
/// <param name="Source">Where the price comes from (a URL or a note).</param>
public sealed record ModelPrice(
    string ModelId,
    string Provider,
    decimal InputPerMillion,
    decimal OutputPerMillion,
    decimal? CachedInputPerMillion,
    DateOnly EffectiveDate,
    string Source)
{
    /// <summary>Computes the cost of a call from its token counts, rounded to the nano-dollar.</summary>
    /// <param name="inputTokens">All input tokens of the call, cached ones included.</param>
    /// <param name="outputTokens">The output tokens (reasoning tokens included).</param>
    /// <param name="cachedInputTokens">How many of <paramref name="inputTokens"/> were read from the prompt cache; they are priced at the cached rate and not again as input.</param>
    /// <returns>The cost in US dollars.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or more tokens are cached than were input.</exception>
    public decimal CalculateCost(long inputTokens, long outputTokens, long cachedInputTokens = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cachedInputTokens);
        if (cachedInputTokens > inputTokens)
        {
            throw new ArgumentOutOfRangeException(
                nameof(cachedInputTokens),
                cachedInputTokens,
                $"Cached input tokens ({cachedInputTokens}) cannot exceed input tokens ({inputTokens}): input tokens count cached ones too.");
        }

        var perMillion = ((inputTokens - cachedInputTokens) * InputPerMillion)
            + (cachedInputTokens * (CachedInputPerMillion ?? InputPerMillion))
            + (outputTokens * OutputPerMillion);
        // Multiplying by 10^-6 is exact (it only moves the decimal point) and much cheaper than dividing by a million.
        var dollars = perMillion * 0.000001m;
        return dollars.Scale <= 9 ? dollars : Storage.NanoUsd.Round(dollars);
    }
}
