namespace CostTracking;

/// <summary>The kind of paid call an operation stands for; each kind has its own operations and monthly summaries.</summary>
public enum UsageType
{
    /// <summary>A call to a third-party API priced per request (maps, vector search, graph database…).</summary>
    ApiUsage = 0,

    /// <summary>A call to an AI model priced per token.</summary>
    AIUsage = 1,
}
