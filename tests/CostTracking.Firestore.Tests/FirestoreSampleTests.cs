using System.Text.RegularExpressions;
using CostTracking.Firestore.Tests.Support;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>The sample's walkthrough with <c>--store firestore</c> on the emulator: the same report, and the documents where it says they are.</summary>
public sealed partial class FirestoreSampleTests : EmulatorFixture
{
    [Test]
    public async Task Sample_OnFirestore_ShowsTheSameReportAndWritesTheDocumentsItLists()
    {
        var run = await SampleRun.RunAsync(["--store", "firestore"], new Dictionary<string, string?>
        {
            ["FIRESTORE_EMULATOR_HOST"] = FirestoreEmulator.Host,
            ["GOOGLE_CLOUD_PROJECT"] = ProjectId,
        });

        SampleReport.ShowsTheWalkthrough(run, $"Firestore store (project {ProjectId})");
        SampleReport.ShowsThePlacesSearchBilledAsOneSession(run);
        SampleReport.ShowsTheSecondSearchInProgress(run);
        SampleReport.ShowsTheMonthlySummaries(run);
        SampleReport.ShowsAnalyticsAndBudget(run);
        run.StandardOutput.Should().Contain($"7. Where the documents are (project {ProjectId}, database (default)):");
        var paths = DocumentPath().Matches(run.StandardOutput).Select(m => m.Groups["path"].Value).ToList();
        paths.Should().HaveCount(6, "two sessions, two operations and two monthly documents are listed");
        foreach (var path in paths)
        {
            (await Raw.GetAsync(path)).Should().NotBeNull($"the sample says {path} is there");
        }
    }

    // "   SessionUsage/user-alice-…/sessions/session_…" (a user of its own per run on Firestore), "ApiUsage/user-alice/monthly/2026-12  and  AIUsage/…": each path alone.
    [GeneratedRegex(@"(?<path>(?:SessionUsage|ApiUsage|AIUsage)/user-alice[^/\s]*/(?:sessions|operations|monthly)/[^\s/]+)")]
    private static partial Regex DocumentPath();
}
