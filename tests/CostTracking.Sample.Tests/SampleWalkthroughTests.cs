using CostTracking.Testing;

namespace CostTracking.Sample.Tests;

/// <summary>The sample's walkthrough on the in-memory default, run as <c>dotnet run --project samples/CostTracking.Sample</c> runs it.</summary>
/// <remarks>The Firestore run (<c>--store firestore</c>) is checked in CostTracking.Firestore.Tests, on the emulator those tests start.</remarks>
[TestFixture]
public sealed class SampleWalkthroughTests
{
    private SampleOutput _run = null!;

    [OneTimeSetUp]
    public async Task RunTheSample() => _run = await SampleRun.RunAsync([], new Dictionary<string, string?> { ["FIRESTORE_EMULATOR_HOST"] = null });

    [Test]
    public void Sample_InMemory_ExitsCleanlyWithTheNumberedWalkthrough() => SampleReport.ShowsTheWalkthrough(_run, "in-memory store");

    [Test]
    public void Sample_PlacesSearch_IsCompletedWithFourStepsBilledAsOneSession() => SampleReport.ShowsThePlacesSearchBilledAsOneSession(_run);

    [Test]
    public void Sample_SecondSearch_IsLeftInProgressWithItsSteps() => SampleReport.ShowsTheSecondSearchInProgress(_run);

    [Test]
    public void Sample_MonthlySummaries_AddUpSessionsAndStandaloneOperations() => SampleReport.ShowsTheMonthlySummaries(_run);

    [Test]
    public void Sample_Analytics_ReportCompletionRateAndBudget() => SampleReport.ShowsAnalyticsAndBudget(_run);
}
