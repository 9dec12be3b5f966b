namespace CostTracking.Budgets;

/// <summary>Default monthly limits per user, reservations and alerts.</summary>
public sealed class BudgetOptions
{
    /// <summary>Gets or sets every user's monthly cost limit in US dollars (both usage types together), or <see langword="null"/> for none. An <see cref="IBudgetLimitProvider"/> can set limits per user instead.</summary>
    /// <value>The default value is <see langword="null"/>: no limit.</value>
    public decimal? MonthlyCostLimit { get; set; }

    /// <summary>Gets or sets every user's monthly limit of billable runs, or <see langword="null"/> for none.</summary>
    /// <value>The default value is <see langword="null"/>: no limit.</value>
    public long? MonthlyRunLimit { get; set; }

    /// <summary>Gets the percentages of a limit at which an alert is raised, once per threshold per month.</summary>
    /// <value>The default value is 50, 80 and 100.</value>
    public IList<int> AlertThresholdPercents { get; } = new List<int>(CostTrackingDefaults.AlertThresholdPercents);

    /// <summary>Gets or sets how long a reservation holds if it is never settled or released.</summary>
    /// <value>The default value is 10 minutes.</value>
    public TimeSpan ReservationTimeout { get; set; } = CostTrackingDefaults.ReservationTimeout;

    /// <summary>Gets or sets the multiple of a user's trailing daily average that a day's spend must exceed to raise an unusual-spending alert, or <see langword="null"/> to turn that alert off.</summary>
    /// <value>The default value is <see langword="null"/>: off (it costs store reads on every record).</value>
    public decimal? UnusualSpendingMultiple { get; set; }

    /// <summary>Gets or sets how many days before today the trailing daily average covers (counted from the user's first day with spend in that window).</summary>
    /// <value>The default value is 7; 1 to 28.</value>
    public int UnusualSpendingTrailingDays { get; set; } = CostTrackingDefaults.UnusualSpendingTrailingDays;

    /// <summary>Gets or sets the least a day's spend must be, in US dollars, to be called unusual.</summary>
    /// <value>The default value is 1 (USD).</value>
    public decimal UnusualSpendingMinimumCost { get; set; } = CostTrackingDefaults.UnusualSpendingMinimumCost;
}
