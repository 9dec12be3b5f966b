using System.Text.RegularExpressions;
using CostTracking.Testing;

namespace CostTracking.Sample.Tests;

/// <summary>The sample's walkthrough on the in-memory default, run as <c>dotnet run --project samples/CostTracking.Sample</c> runs it.</summary>
[TestFixture]
public sealed class SampleWalkthroughTests
{
    private SampleOutput _run = null!;

    [OneTimeSetUp]
    public async Task RunTheSample() => _run = await SampleRun.RunAsync([], new Dictionary<string, string?> { ["FIRESTORE_EMULATOR_HOST"] = null });

    [Test]
    public void Sample_InMemory_ExitsCleanlyWithTheNumberedWalkthrough()
    {
        _run.ExitCode.Should().Be(0, _run.StandardError);
        foreach (var step in new[] { "1. Cost tracking registered on the in-memory store", "2. Search session finished", "3. AI call", "4. Second search", "5. Cost report for user-alice", "6. Analytics and budget" })
        {
            _run.StandardOutput.Should().Contain(step);
        }
    }

    [Test]
    public void Sample_PlacesSearch_IsCompletedWithFourStepsBilledAsOneSession()
    {
        _run.StandardOutput.Should().MatchRegex(@"Session session_[0-9a-f]{32} \[google_maps\] completed: 4 steps, total \$0\.01700, 1 billable run\(s\)");
        _run.StandardOutput.Should().Contain("re-priced by google-places-session: recorded $0.02549, billed $0.01700");
        Regex.Count(_run.StandardOutput, @"google_maps_autocomplete +\$0\.00000 +\(recorded \$0\.00283").Should().Be(3, "the three keystrokes are folded into Place Details");
        _run.StandardOutput.Should().MatchRegex(@"google_maps_place_details +\$0\.01700");
    }

    [Test]
    public void Sample_SecondSearch_IsLeftInProgressWithItsSteps()
    {
        _run.StandardOutput.Should().MatchRegex(@"Session session_[0-9a-f]{32} \[google_maps\] in-progress: 2 steps, total \$0\.00566, 0 billable run\(s\)");
    }

    [Test]
    public void Sample_MonthlySummaries_AddUpSessionsAndStandaloneOperations()
    {
        // 4 steps of the completed search billed $0.017, 2 open steps $0.00566, the geocoding call $0.005 (recorded twice, counted once).
        _run.StandardOutput.Should().MatchRegex(@"ApiUsage in \d{4}-\d{2}: total \$0\.02766 over 7 operation\(s\) \(\$0\.02266 in sessions, \$0\.00500 standalone\), 1 billable run\(s\)");
        _run.StandardOutput.Should().Contain("Recorded, then AlreadyRecorded");
        _run.StandardOutput.Should().MatchRegex(@"AIUsage in \d{4}-\d{2}: total \$0\.0002985 over 1 operation\(s\)");
    }

    [Test]
    public void Sample_Analytics_ReportCompletionRateAndBudget()
    {
        _run.StandardOutput.Should().Contain("completion rate 100 % of closed sessions");
        _run.StandardOutput.Should().Contain("Cost per completed session: $0.01700");
        _run.StandardOutput.Should().MatchRegex(@"Budget \d{4}-\d{2}: spent \$0\.0279585 of \$5\.00000");
    }
}
