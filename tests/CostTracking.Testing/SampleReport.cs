using System.Text.RegularExpressions;

namespace CostTracking.Testing;

/// <summary>What the sample's report must show, whichever store it runs on: the README promises these numbers.</summary>
public static class SampleReport
{
    /// <summary>The numbered walkthrough ran to its end.</summary>
    /// <param name="run">The sample's run.</param>
    /// <param name="storeLine">How step 1 names the store, e.g. <c>in-memory store</c>.</param>
    public static void ShowsTheWalkthrough(SampleOutput run, string storeLine)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.ExitCode.Should().Be(0, run.StandardError);
        foreach (var step in new[] { "1. Cost tracking registered on the " + storeLine, "2. Search session finished", "3. AI call", "4. Second search", "5. Cost report for user-alice", "6. Analytics and budget" })
        {
            run.StandardOutput.Should().Contain(step);
        }
    }

    /// <summary>The Places search is completed with four steps, billed as one session by Google's pricing.</summary>
    /// <param name="run">The sample's run.</param>
    public static void ShowsThePlacesSearchBilledAsOneSession(SampleOutput run)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.StandardOutput.Should().MatchRegex(@"Session session_[0-9a-f]{32} \[google_maps\] completed: 4 steps, total \$0\.01700, 1 billable run\(s\)");
        run.StandardOutput.Should().Contain("re-priced by google-places-session: recorded $0.02549, billed $0.01700");
        Regex.Count(run.StandardOutput, @"google_maps_autocomplete +\$0\.00000 +\(recorded \$0\.00283; re-priced at google_maps\.places_autocomplete_session effective \d{4}-\d{2}-\d{2}\)")
            .Should().Be(3, "the three keystrokes are folded into Place Details");
        run.StandardOutput.Should().MatchRegex(@"google_maps_place_details +\$0\.01700");
    }

    /// <summary>The second search is left in progress with its two steps.</summary>
    /// <param name="run">The sample's run.</param>
    public static void ShowsTheSecondSearchInProgress(SampleOutput run)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.StandardOutput.Should().MatchRegex(@"Session session_[0-9a-f]{32} \[google_maps\] in-progress: 2 steps, total \$0\.00566, 0 billable run\(s\)");
    }

    /// <summary>Both monthly summaries add up sessions and standalone operations; the duplicate counted once.</summary>
    /// <param name="run">The sample's run.</param>
    public static void ShowsTheMonthlySummaries(SampleOutput run)
    {
        ArgumentNullException.ThrowIfNull(run);

        // 4 steps of the completed search billed $0.017, 2 open steps $0.00566, the geocoding call $0.005 (recorded twice, counted once).
        run.StandardOutput.Should().MatchRegex(@"ApiUsage in \d{4}-\d{2}: total \$0\.02766 over 7 operation\(s\) \(\$0\.02266 in sessions, \$0\.00500 standalone\), 1 billable run\(s\)");
        run.StandardOutput.Should().Contain("Recorded, then AlreadyRecorded");
        run.StandardOutput.Should().MatchRegex(@"AIUsage in \d{4}-\d{2}: total \$0\.0002985 over 1 operation\(s\)");
    }

    /// <summary>The analytics block and the budget status.</summary>
    /// <param name="run">The sample's run.</param>
    public static void ShowsAnalyticsAndBudget(SampleOutput run)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.StandardOutput.Should().Contain("completion rate 100 % of closed sessions");
        run.StandardOutput.Should().Contain("Cost per completed session: $0.01700");
        run.StandardOutput.Should().MatchRegex(@"Budget \d{4}-\d{2}: spent \$0\.0279585 of \$5\.00000");
    }
}
