using CostTracking.Firestore.Tests;

/// <summary>Starts one Cloud Firestore emulator for the whole test run (or uses FIRESTORE_EMULATOR_HOST) and stops what it started.</summary>
[SetUpFixture]
#pragma warning disable CA1050 // An assembly-level SetUpFixture lives outside any namespace.
public sealed class FirestoreEmulatorSetUp
#pragma warning restore CA1050
{
    [OneTimeSetUp]
    public Task StartAsync() => FirestoreEmulator.StartAsync();

    [OneTimeTearDown]
    public Task StopAsync() => FirestoreEmulator.StopAsync();
}
