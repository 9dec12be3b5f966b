// A walkthrough of CostTracking.
// On the embedded in-memory store:  dotnet run --project samples/CostTracking.Sample
// On Firestore (the emulator):      FIRESTORE_EMULATOR_HOST=127.0.0.1:8080 dotnet run --project samples/CostTracking.Sample -- --store firestore
using System.Globalization;
using CostTracking;
using CostTracking.Analytics;
using CostTracking.Budgets;
using CostTracking.Pricing;
using CostTracking.Sample;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var store = args.SkipWhile(a => a != "--store").Skip(1).FirstOrDefault() ?? "memory";
if (store is not ("memory" or "firestore"))
{
    Console.Error.WriteLine($"Unknown store '{store}': use --store memory (the default) or --store firestore.");
    return 2;
}

var firestoreProject = Environment.GetEnvironmentVariable("GOOGLE_CLOUD_PROJECT") ?? "costtracking-sample";
if (store == "firestore" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FIRESTORE_EMULATOR_HOST")) && Environment.GetEnvironmentVariable("GOOGLE_CLOUD_PROJECT") is null)
{
    Console.Error.WriteLine("--store firestore needs a Firestore: start the emulator and point the sample at it,");
    Console.Error.WriteLine("  gcloud emulators firestore start --host-port=127.0.0.1:8080 &");
    Console.Error.WriteLine("  FIRESTORE_EMULATOR_HOST=127.0.0.1:8080 dotnet run --project samples/CostTracking.Sample -- --store firestore");
    Console.Error.WriteLine("or set GOOGLE_CLOUD_PROJECT and Application Default Credentials for a real project.");
    return 2;
}

var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: false)
    .Build();

// 1. Register cost tracking. Prices can be added or overridden in appsettings.json ("CostTracking:Pricing").
//    Google bills the autocomplete requests of a search that ends in Place Details as part of that call:
//    the Places session pricing policy re-prices such sessions when they are finalized.
var services = new ServiceCollection();
services.AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true));
var costTracking = services.AddCostTracking(configuration.GetSection("CostTracking"))
    .UseGooglePlacesSessionPricing();
if (store == "firestore")
{
    // One builder call swaps the in-memory store for Firestore (FIRESTORE_EMULATOR_HOST is picked up automatically).
    costTracking.UseFirestore(o => o.ProjectId = firestoreProject);
}

//    Paid HTTP calls are tracked by a handler on the HttpClient: each request is mapped to a registry price.
services.AddHttpClient<PlacesService>(c => c.BaseAddress = new Uri("https://places.googleapis.com"))
    .AddCostTracking(map => map
        .Map("places.googleapis.com", "/v1/places:autocomplete", ApiCosts.GoogleMaps.PlacesAutocomplete.Key, "google_maps_autocomplete")
        .Map("places.googleapis.com", "/v1/places/", ApiCosts.GoogleMaps.PlaceDetails.Key, "google_maps_place_details", isBillableRun: true))
    .ConfigurePrimaryHttpMessageHandler(() => new FakePlacesHandler());

//    AI calls are tracked by chat client middleware that prices the reported token usage through the registry.
services.AddChatClient(new FakeChatClient())
    .UseCostTracking(o => { o.Feature = "review_summary"; o.IsBillableRun = true; });
await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

var tracker = provider.GetRequiredService<ICostTracker>();
var sessions = provider.GetRequiredService<ISessionTracker>();
var prices = provider.GetRequiredService<IPriceRegistry>();
var budgets = provider.GetRequiredService<IBudgetService>();
var placesService = provider.GetRequiredService<PlacesService>();
var chat = provider.GetRequiredService<IChatClient>();
// A durable store keeps earlier runs: give this run a user of its own so that its report starts from zero.
var userId = store == "memory" ? "user-alice" : $"user-alice-{Guid.NewGuid():N}"[..19];
Console.WriteLine($"1. Cost tracking registered on the {(store == "memory" ? "in-memory store" : $"Firestore store (project {firestoreProject})")}");

// 2. A Places search session: three autocomplete keystrokes, then Place Details, which finalizes the session.
//    The scope tells the tracking handler whose call it is and which session it belongs to.
var searchId = $"session_{Guid.NewGuid():N}";
using (tracker.BeginScope(userId, searchId))
{
    foreach (var input in new[] { "pi", "piz", "pizza" })
    {
        await placesService.SearchPlacesAsync(input, searchId);
    }

    var details = await placesService.GetPlaceDetailsAsync(userId, "ChIJ-pizzeria-main-st", searchId);
    Console.WriteLine($"2. Search session finished: {details}");
}

// 3. A standalone AI call. It is expensive enough to reserve budget first; the chat middleware records the
//    actual cost from the reported tokens, and the reservation is then released.
var reservation = await budgets.ReserveAsync(userId, prices.CalculateAICost("gpt-4o-mini", inputTokens: 4_000, outputTokens: 1_000));
if (!reservation.IsAccepted)
{
    throw new InvalidOperationException($"{userId} is over budget: {reservation.Status.RemainingCost} USD left.");
}

UsageOperation ai0;
using (tracker.BeginScope(userId))
{
    var answer = await chat.GetResponseAsync("Summarize the reviews of Main St Pizzeria.");
    await budgets.ReleaseAsync(reservation);
    ai0 = (await tracker.GetOperationsAsync(userId, UsageType.AIUsage, new OperationQuery { PageSize = 1 })).Items[0];
    Console.WriteLine($"3. AI call \"{answer.Text}\" recorded as {ai0.OperationId}: {ai0.Cost} USD for {ai0.Metadata["model"]}; {Usd(reservation.Cost)} had been reserved");
}

//    A standalone API call recorded by hand, priced from a price that appsettings.json added to the registry.
//    Its operation id is the app's own request id, so recording it again (a retry) counts it once.
var geocoding = prices.GetApiPrice("geocoding.lookup");
var lookup = new UsageRecord
{
    UserId = userId, UsageType = UsageType.ApiUsage, Feature = "address_lookup", Cost = geocoding.PerRequest, Provider = geocoding.Provider,
    OperationId = "req-7f3a9c", Metadata = new Dictionary<string, object?> { ["address"] = "1 Main St" },
};
var first = await tracker.RecordUsageAsync(lookup);
var retry = await tracker.RecordUsageAsync(lookup);
Console.WriteLine($"   Geocoding {first.OperationId} at {Usd(geocoding.PerRequest)} (price effective {geocoding.EffectiveDate:yyyy-MM-dd}, from configuration): {first.Outcome}, then {retry.Outcome}");

// 4. A second search the user leaves unfinished: it stays in progress.
var pending = await sessions.StartSessionAsync(userId, ApiCosts.GoogleMaps.Provider);
using (tracker.BeginScope(userId, pending.SessionId))
{
    await placesService.SearchPlacesAsync("sus", pending.SessionId);
    await placesService.SearchPlacesAsync("sushi", pending.SessionId);
}

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
        var repriced = step.OriginalCost is { } original
            ? $"  (recorded {Usd(original)}; re-priced at {step.PriceKey} effective {step.PriceEffectiveDate:yyyy-MM-dd})"
            : "";
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

if (store == "firestore")
{
    Console.WriteLine();
    Console.WriteLine($"7. Where the documents are (project {firestoreProject}, database (default)):");
    Console.WriteLine($"   SessionUsage/{userId}/sessions/{searchId}  (steps in .../steps/{{operationId}})");
    Console.WriteLine($"   SessionUsage/{userId}/sessions/{pending.SessionId}");
    Console.WriteLine($"   ApiUsage/{userId}/operations/req-7f3a9c");
    Console.WriteLine($"   AIUsage/{userId}/operations/{ai0.OperationId}");
    Console.WriteLine($"   ApiUsage/{userId}/monthly/{month}  and  AIUsage/{userId}/monthly/{month}");
}

return 0;

static string Usd(decimal value) => $"${value:0.00000####}";

static string Status(SessionStatus status) => status switch
{
    SessionStatus.InProgress => "in-progress",
    SessionStatus.Completed => "completed",
    _ => "abandoned",
};
