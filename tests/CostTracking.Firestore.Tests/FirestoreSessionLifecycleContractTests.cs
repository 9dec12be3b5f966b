using CostTracking.Firestore.Tests.Support;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the session lifecycle suite, unchanged, on the Firestore store on the emulator: a project of its own per test, since the idle sweep and retention work across users.</summary>
public sealed class FirestoreSessionLifecycleContractTests : SessionLifecycleContractTests<FreshProjectStores>;
