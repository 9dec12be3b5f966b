using System.Globalization;
using CostTracking.Storage;
using CostTracking.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CostTracking.Budgets;

/// <summary>Raises budget alerts after a record: each threshold once per user and month, unusual spending once per day, across processes.</summary>
internal sealed class BudgetAlertMonitor
{
    private readonly IUsageStore _store;
    private readonly IBudgetStore? _budgets;
    private readonly TimeProvider _time;
    private readonly BudgetOptions _options;
    private readonly int[] _thresholds;
    private readonly IBudgetLimitProvider _limits;
    private readonly IBudgetAlertHandler[] _handlers;
    private readonly ILogger _logger;

    public BudgetAlertMonitor(IUsageStore store, TimeProvider time, IOptions<CostTrackingOptions> options, IBudgetLimitProvider limits, IEnumerable<IBudgetAlertHandler> handlers, ILogger logger)
    {
        _store = store;
        _budgets = store as IBudgetStore;
        _time = time;
        _options = options.Value.Budgets;
        _thresholds = _options.AlertThresholdPercents.Distinct().Order().ToArray();
        _limits = limits;
        _handlers = handlers.ToArray();
        _logger = logger;

        // Alerts cost store reads on every record, so they run only when something can trigger them.
        IsActive = _budgets is not null
            && (limits is not OptionsBudgetLimitProvider
                || _options.MonthlyCostLimit is not null
                || _options.MonthlyRunLimit is not null
                || _options.UnusualSpendingMultiple is not null);
    }

    public bool IsActive { get; }

    /// <summary>Checks the user's month after a recorded operation; never throws (the record already succeeded).</summary>
    public async ValueTask AfterRecordAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            var now = _time.GetUtcNow();
            var month = UsageMonth.FromTimestamp(now);
            var limits = await _limits.GetLimitsAsync(userId, cancellationToken).ConfigureAwait(false) ?? BudgetLimits.None;
            if (limits.HasLimit)
            {
                var usage = await _budgets!.GetBudgetUsageAsync(userId, month, now, cancellationToken).ConfigureAwait(false);
                if (limits.MonthlyCost is { } costLimit && costLimit > 0m)
                {
                    await CheckThresholdsAsync(userId, month, now, BudgetAlertKind.CostThreshold, "cost", usage.SpentCost, costLimit, cancellationToken).ConfigureAwait(false);
                }

                if (limits.MonthlyRuns is { } runLimit && runLimit > 0)
                {
                    await CheckThresholdsAsync(userId, month, now, BudgetAlertKind.RunThreshold, "runs", usage.SpentRuns, runLimit, cancellationToken).ConfigureAwait(false);
                }
            }

            if (_options.UnusualSpendingMultiple is { } multiple)
            {
                await CheckUnusualSpendingAsync(userId, now, multiple, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.AlertCheckFailed(_logger, ex, userId);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up after its record was stored; the next record checks again.
        }
    }

    private async Task CheckThresholdsAsync(string userId, UsageMonth month, DateTimeOffset now, BudgetAlertKind kind, string name, decimal value, decimal limit, CancellationToken cancellationToken)
    {
        foreach (var percent in _thresholds)
        {
            if (value * 100m < limit * percent)
            {
                break;
            }

            var key = string.Create(CultureInfo.InvariantCulture, $"{month}.{name}.{percent}");
            if (await _budgets!.TryMarkAlertAsync(userId, key, now, cancellationToken).ConfigureAwait(false))
            {
                await RaiseAsync(new BudgetAlert(userId, kind, month, percent, value, limit, now), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CheckUnusualSpendingAsync(string userId, DateTimeOffset now, decimal multiple, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var first = today.AddDays(-_options.UnusualSpendingTrailingDays);
        var daily = new Dictionary<DateOnly, decimal>();
        var thisMonth = UsageMonth.FromTimestamp(now);
        var months = thisMonth.Year == first.Year && thisMonth.Month == first.Month ? [thisMonth] : new[] { new UsageMonth(first.Year, first.Month), thisMonth };
        foreach (var month in months)
        {
            foreach (var type in (UsageType[])[UsageType.ApiUsage, UsageType.AIUsage])
            {
                var summary = await _store.GetMonthlySummaryAsync(userId, type, month, cancellationToken).ConfigureAwait(false);
                foreach (var (day, breakdown) in summary.ByDay)
                {
                    var date = new DateOnly(month.Year, month.Month, day);
                    daily[date] = daily.GetValueOrDefault(date) + breakdown.Cost;
                }
            }
        }

        // The average runs from the user's first day with spend in the window, so a new user's quiet days before they
        // existed do not make their ordinary spending look unusual.
        var todayCost = daily.GetValueOrDefault(today);
        var window = daily.Where(d => d.Key >= first && d.Key < today && d.Value > 0m).ToList();
        if (window.Count == 0)
        {
            return;
        }

        var trailing = window.Sum(d => d.Value);
        var average = trailing / (today.DayNumber - window.Min(d => d.Key).DayNumber);
        if (trailing <= 0m || todayCost < _options.UnusualSpendingMinimumCost || todayCost <= average * multiple)
        {
            return;
        }

        var key = string.Create(CultureInfo.InvariantCulture, $"{today:yyyy-MM-dd}.unusual");
        if (await _budgets!.TryMarkAlertAsync(userId, key, now, cancellationToken).ConfigureAwait(false))
        {
            await RaiseAsync(new BudgetAlert(userId, BudgetAlertKind.UnusualSpending, thisMonth, null, todayCost, NanoUsd.Round(average), now), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RaiseAsync(BudgetAlert alert, CancellationToken cancellationToken)
    {
        if (alert.Kind == BudgetAlertKind.UnusualSpending)
        {
            Log.UnusualSpendingAlert(_logger, alert.UserId, alert.Month.ToString(), alert.Value, alert.Limit);
        }
        else
        {
            Log.BudgetAlert(_logger, alert.Kind, alert.UserId, alert.Month.ToString(), alert.ThresholdPercent, alert.Value, alert.Limit);
        }
        foreach (var handler in _handlers)
        {
            try
            {
                await handler.HandleAsync(alert, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.AlertHandlerFailed(_logger, ex, handler.GetType().Name, alert.Kind, alert.UserId);
            }
        }
    }
}
