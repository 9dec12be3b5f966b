using System.Collections.Concurrent;
using CostTracking.Budgets;

namespace CostTracking.Testing;

/// <summary>A budget alert handler that keeps every alert it receives, safe for concurrent callers.</summary>
public sealed class CollectingAlertHandler : IBudgetAlertHandler
{
    private readonly ConcurrentQueue<BudgetAlert> _alerts = new();

    /// <summary>Gets the alerts received so far, in order.</summary>
    public IReadOnlyList<BudgetAlert> Alerts => _alerts.ToArray();

    /// <inheritdoc />
    public ValueTask HandleAsync(BudgetAlert alert, CancellationToken cancellationToken = default)
    {
        _alerts.Enqueue(alert);
        return ValueTask.CompletedTask;
    }
}
