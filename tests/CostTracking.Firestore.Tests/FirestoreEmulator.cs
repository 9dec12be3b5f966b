using CostTracking.Firestore.Emulator;

namespace CostTracking.Firestore.Tests;

/// <summary>The emulator the tests run against: its host, fresh project ids, and what to do when it is missing.</summary>
internal static class FirestoreEmulator
{
    private static EmulatorProcess? _emulator;

    /// <summary>Gets the emulator's <c>host:port</c>, once started.</summary>
    public static string Host => _emulator?.Host ?? "";

    /// <summary>A project id of its own for one fixture: <c>test-</c> and lowercase hex, as the emulator requires.</summary>
    public static string NewProjectId() => EmulatorProcess.NewProjectId();

    /// <summary>Ignores the calling fixture when no emulator could be had, or fails it when COSTTRACKING_REQUIRE_EMULATOR=1.</summary>
    public static void Require()
    {
        if (_emulator?.Unavailable is not { } unavailable)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("COSTTRACKING_REQUIRE_EMULATOR") == "1")
        {
            Assert.Fail(unavailable + " COSTTRACKING_REQUIRE_EMULATOR=1, so this is a failure.");
        }

        Assert.Ignore(unavailable);
    }

    public static async Task StartAsync() => _emulator = await EmulatorProcess.StartAsync().ConfigureAwait(false);

    public static async Task StopAsync()
    {
        if (_emulator is { } emulator)
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
        }
    }
}
