using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace CostTracking.Pricing;

/// <summary>The immutable registry built once from the defaults and the options.</summary>
internal sealed class PriceRegistry : IPriceRegistry
{
    private const int MaxResolvedAliases = 1024;
    private readonly FrozenDictionary<string, ApiPrice> _apis;
    private readonly FrozenDictionary<string, ModelPrice> _models;
    private readonly ConcurrentDictionary<string, ModelPrice?> _resolved = new(StringComparer.OrdinalIgnoreCase);

    public PriceRegistry(PricingOptions options, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(options);
        var apis = DefaultPrices.Apis().ToDictionary(p => p.Key, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, o) in options.Apis)
        {
            apis[key] = Merge(key, o, apis.GetValueOrDefault(key), today);
        }

        var models = DefaultPrices.Models().ToDictionary(p => p.ModelId, StringComparer.OrdinalIgnoreCase);
        foreach (var (id, o) in options.Models)
        {
            models[id] = Merge(id, o, models.GetValueOrDefault(id), today);
        }

        _apis = apis.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _models = models.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<ApiPrice> ApiPrices => _apis.Values;

    public IReadOnlyCollection<ModelPrice> ModelPrices => _models.Values;

    public ApiPrice GetApiPrice(string key) =>
        TryGetApiPrice(key, out var price)
            ? price
            : throw new PriceNotFoundException(key, $"No API price is registered for '{key}'. Known keys: {string.Join(", ", _apis.Keys.Order(StringComparer.Ordinal))}. Add it under CostTracking:Pricing:Apis.");

    public bool TryGetApiPrice(string key, [NotNullWhen(true)] out ApiPrice? price)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _apis.TryGetValue(key, out price);
    }

    public ModelPrice GetModelPrice(string modelId) =>
        TryGetModelPrice(modelId, out var price)
            ? price
            : throw new PriceNotFoundException(modelId, $"No price is registered for model '{modelId}'; it is not recorded as free. Add it under CostTracking:Pricing:Models.");

    public bool TryGetModelPrice(string modelId, [NotNullWhen(true)] out ModelPrice? price)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (_models.TryGetValue(modelId, out price))
        {
            return true;
        }

        if (_resolved.TryGetValue(modelId, out price))
        {
            return price is not null;
        }

        price = ResolveVersioned(modelId);
        if (_resolved.Count < MaxResolvedAliases)
        {
            _resolved.TryAdd(modelId, price);
        }

        return price is not null;
    }

    public decimal CalculateAICost(string modelId, long inputTokens, long outputTokens, long cachedInputTokens = 0) =>
        GetModelPrice(modelId).CalculateCost(inputTokens, outputTokens, cachedInputTokens);

    private ModelPrice? ResolveVersioned(string modelId)
    {
        // Providers answer with dated or suffixed ids (gpt-4o-2024-08-06, claude-sonnet-4-5-20250929,
        // gemini-2.5-flash-lite-preview-09-2025): take the longest registered id followed by '-' and a version suffix.
        // Any other suffix is another model (o3-mini is not o3) and is never priced as its prefix.
        ModelPrice? best = null;
        foreach (var (id, price) in _models)
        {
            if (modelId.Length > id.Length + 1
                && modelId[id.Length] == '-'
                && modelId.StartsWith(id, StringComparison.OrdinalIgnoreCase)
                && IsVersionSuffix(modelId.AsSpan(id.Length + 1))
                && (best is null || id.Length > best.ModelId.Length))
            {
                best = price;
            }
        }

        return best;
    }

    /// <summary>A date (2024-08-06, 20250929), a version number (001), or a release tag (latest, preview…, exp…).</summary>
    private static bool IsVersionSuffix(ReadOnlySpan<char> suffix)
    {
        if (suffix.Equals("latest", StringComparison.OrdinalIgnoreCase)
            || suffix.StartsWith("preview", StringComparison.OrdinalIgnoreCase)
            || suffix.StartsWith("exp", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var c in suffix)
        {
            if (!char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return suffix.Length > 0 && char.IsAsciiDigit(suffix[0]);
    }

    private static ApiPrice Merge(string key, ApiPriceOptions o, ApiPrice? existing, DateOnly today)
    {
        var perRequest = o.PerRequest ?? (o.Per1000 / 1000m) ?? existing?.PerRequest
            ?? throw new InvalidOperationException($"CostTracking:Pricing:Apis:{key} needs PerRequest or Per1000: it is not a built-in price.");
        var provider = o.Provider ?? existing?.Provider ?? key.Split('.')[0];
        return new ApiPrice(existing?.Key ?? key, provider, perRequest, o.EffectiveDate ?? existing?.EffectiveDate ?? today, o.Source ?? existing?.Source ?? "configuration");
    }

    private static ModelPrice Merge(string id, ModelPriceOptions o, ModelPrice? existing, DateOnly today)
    {
        var input = o.InputPerMillion ?? existing?.InputPerMillion
            ?? throw new InvalidOperationException($"CostTracking:Pricing:Models:{id} needs InputPerMillion: it is not a built-in model.");
        var output = o.OutputPerMillion ?? existing?.OutputPerMillion
            ?? throw new InvalidOperationException($"CostTracking:Pricing:Models:{id} needs OutputPerMillion: it is not a built-in model.");
        return new ModelPrice(
            existing?.ModelId ?? id,
            o.Provider ?? existing?.Provider ?? "unknown",
            input,
            output,
            o.CachedInputPerMillion ?? existing?.CachedInputPerMillion,
            o.EffectiveDate ?? existing?.EffectiveDate ?? today,
            o.Source ?? existing?.Source ?? "configuration");
    }
}
