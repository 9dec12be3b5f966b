// A walkthrough of CostTracking on its embedded in-memory store.
// Run it with: dotnet run --project samples/CostTracking.Sample
using System.Globalization;
using CostTracking;
using CostTracking.Analytics;
using CostTracking.Budgets;
using CostTracking.Pricing;
using CostTracking.Sample;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: false)
    .Build();

// 1. Register cost tracking. Prices can be added or overridden in appsettings.json ("CostTracking:Pricing").
//    Google bills the autocomplete requests of a search that ends in Place Details as part of that call:
//    the Places session pricing policy re-prices such sessions when they are finalized.
var services = new ServiceCollection();
services.AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true));
services.AddCostTracking(configuration.GetSection("CostTracking"))
    .UseGooglePlacesSessionPricing();
services.AddSingleton<FakePlacesClient>();
services.AddSingleton<PlacesService>();
await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

var tracker = provider.GetRequiredService<ICostTracker>();
var sessions = provider.GetRequiredService<ISessionTracker>();
var prices = provider.GetRequiredService<IPriceRegistry>();
var placesService = provider.GetRequiredService<PlacesService>();
const string userId = "user-alice";

// 2. A Places search session: three autocomplete keystrokes, then Place Details, which finalizes the session.
var searchId = $"session_{Guid.NewGuid():N}";
foreach (var input in new[] { "pi", "piz", "pizza" })
{
    await placesService.SearchPlacesAsync(userId, input, searchId);
}

var details = await placesService.GetPlaceDetailsAsync(userId, "ChIJ-pizzeria-main-st", searchId);
Console.WriteLine($"2. Search session finished: {details}");

// 3. A standalone AI call, priced from its token counts through the registry. It is expensive enough to reserve
//    budget first: the reservation holds the estimate, and settling records the actual cost and releases it.
var budgets = provider.GetRequiredService<IBudgetService>();
var model = "gpt-4o-mini";
var reservation = await budgets.ReserveAsync(userId, prices.CalculateAICost(model, inputTokens: 4_000, outputTokens: 1_000));
if (!reservation.IsAccepted)
{
    throw new InvalidOperationException($"{userId} is over budget: {reservation.Status.RemainingCost} USD left.");
}

long inputTokens = 1_250, cachedTokens = 1_000, outputTokens = 310;   // what the model actually used
var aiCost = prices.CalculateAICost(model, inputTokens, outputTokens, cachedTokens);
var ai = await budgets.SettleAsync(reservation, new UsageRecord
{
    UserId = userId,
    UsageType = UsageType.AIUsage,
    Feature = "review_summary",
    Cost = aiCost,
    Provider = prices.GetModelPrice(model).Provider,
    IsBillableRun = true,
    Metadata = new Dictionary<string, object?>
    {
        ["model"] = model,
        ["inputTokens"] = inputTokens,
        ["cachedInputTokens"] = cachedTokens,
        ["outputTokens"] = outputTokens,
    },
});
Console.WriteLine($"3. AI call {ai.OperationId} recorded: {aiCost} USD ({ai.Outcome}); {Usd(reservation.Cost)} had been reserved");

// The same operation id recorded again is counted once.
var again = await tracker.RecordUsageAsync(new UsageRecord
{
    UserId = userId, UsageType = UsageType.AIUsage, Feature = "review_summary", Cost = aiCost, Provider = "openai", OperationId = ai.OperationId,
});
Console.WriteLine($"   Recording {again.OperationId} again: {again.Outcome}");

// A standalone API call, priced from a price that appsettings.json added to the registry.
var geocoding = prices.GetApiPrice("geocoding.lookup");
await tracker.RecordUsageAsync(new UsageRecord
{
    UserId = userId, UsageType = UsageType.ApiUsage, Feature = "address_lookup", Cost = geocoding.PerRequest, Provider = geocoding.Provider,
});
Console.WriteLine($"   Geocoding call recorded at {Usd(geocoding.PerRequest)} (price effective {geocoding.EffectiveDate:yyyy-MM-dd}, from configuration)");

// 4. A second search the user leaves unfinished: it stays in progress.
var pending = await sessions.StartSessionAsync(userId, ApiCosts.GoogleMaps.Provider);
await placesService.SearchPlacesAsync(userId, "sus", pending.SessionId);
await placesService.SearchPlacesAsync(userId, "sushi", pending.SessionId);
Console.WriteLine($"4. Second search {pending.SessionId} left in progress");

// 5. The report.
Console.WriteLine();
Console.WriteLine($"5. Cost report for {userId}");
var page = await tracker.GetUserSessionsAsync(userId);
foreach (var summary in page.Items)
{
    var session = await tracker.GetSessionAsync(userId, summary.SessionId) ?? throw new InvalidOperationException("The session vanished.");
    Console.WriteLine($"   Session {session.SessionId} [{session.Feature}] {Status(session.Status)}: {session.StepCount} steps, total {Usd(session.TotalCost)}, {session.TotalRuns} billable run(s)");
    if (session.RepricedBy is not null)
    {
        var recorded = session.Steps.Sum(s => s.OriginalCost ?? s.Cost);
        Console.WriteLine($"     re-priced by {session.RepricedBy}: recorded {Usd(recorded)}, billed {Usd(session.TotalCost)}");
    }

    foreach (var step in session.Steps)
    {
        var repriced = step.OriginalCost is { } original ? $"  (recorded {Usd(original)})" : "";
        Console.WriteLine($"     - {step.Timestamp:HH:mm:ss.ffffff} {step.Feature,-28} {Usd(step.Cost)}{repriced}");
    }
}

var month = UsageMonth.FromTimestamp(provider.GetRequiredService<TimeProvider>().GetUtcNow());
foreach (var usageType in new[] { UsageType.ApiUsage, UsageType.AIUsage })
{
    var m = await tracker.GetMonthlySummaryAsync(userId, usageType, month);
    Console.WriteLine($"   {usageType} in {m.Month}: total {Usd(m.TotalCost)} over {m.OperationCount} operation(s) ({Usd(m.SessionCost)} in sessions, {Usd(m.StandaloneCost)} standalone), {m.BillableRuns} billable run(s)");
    foreach (var (feature, b) in m.ByFeature.OrderBy(p => p.Key, StringComparer.Ordinal))
    {
        Console.WriteLine($"     {feature,-28} {b.Count,3} x  {Usd(b.Cost)}");
    }
}

var ops = await tracker.GetOperationsAsync(userId, UsageType.AIUsage);
Console.WriteLine($"   Standalone AI operations: {string.Join(", ", ops.Items.Select(o => $"{o.Feature} {Usd(o.Cost)}"))}");
Console.WriteLine($"   Sessions: {string.Join(", ", page.Items.Select(s => $"{s.SessionId[..16]}… {Status(s.Status)}"))}");

// 6. Analytics and budget: completion rate, cost per completed session, the search funnel, budget status.
Console.WriteLine();
Console.WriteLine("6. Analytics and budget");
var analytics = provider.GetRequiredService<IUsageAnalytics>();
var range = new AnalyticsQuery { UserId = userId, From = month.Start, To = month.Next().Start };
var stats = await analytics.GetSessionAnalyticsAsync(range);
Console.WriteLine($"   Sessions: {stats.TotalSessions} ({string.Join(", ", stats.ByStatus.Select(p => $"{Status(p.Key)} {p.Value.Count}"))}); completion rate {stats.CompletionRate:P0} of closed sessions");
Console.WriteLine($"   Cost per completed session: {(stats.AverageCostPerCompletedSession is { } avg ? Usd(avg) : "n/a")}; spent on abandoned sessions: {Usd(stats.AbandonedSessionsCost)}");
foreach (var funnel in await analytics.GetFunnelsAsync(range))
{
    Console.WriteLine($"   Funnel '{funnel.Feature}': " + string.Join("  ", funnel.Steps.Select(s => $"step {s.StepNumber}: {s.Sessions}")));
    foreach (var path in funnel.Paths)
    {
        Console.WriteLine($"     {path.Sessions} x {string.Join(" -> ", path.Features)}");
    }
}

var budget = await budgets.GetStatusAsync(userId);
Console.WriteLine($"   Budget {budget.Month}: spent {Usd(budget.SpentCost)} of {Usd(budget.Limits.MonthlyCost ?? 0m)}, {Usd(budget.RemainingCost ?? 0m)} left; {budget.SpentRuns} of {budget.Limits.MonthlyRuns} runs");

static string Usd(decimal value) => $"${value:0.00000####}";

static string Status(SessionStatus status) => status switch
{
    SessionStatus.InProgress => "in-progress",
    SessionStatus.Completed => "completed",
    _ => "abandoned",
};
