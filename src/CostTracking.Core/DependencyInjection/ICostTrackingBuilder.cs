namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures cost tracking after <c>services.AddCostTracking()</c>; storage packages add their <c>UseX(...)</c> extensions to it.</summary>
public interface ICostTrackingBuilder
{
    /// <summary>Gets the services cost tracking is registered in.</summary>
    IServiceCollection Services { get; }
}

internal sealed class CostTrackingBuilder(IServiceCollection services) : ICostTrackingBuilder
{
    public IServiceCollection Services { get; } = services;
}
