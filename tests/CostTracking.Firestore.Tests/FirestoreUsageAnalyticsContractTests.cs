using CostTracking.Firestore.Tests.Support;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the analytics suite, unchanged, on the Firestore store on the emulator: a project of its own per test, since analytics for everyone read every user.</summary>
public sealed class FirestoreUsageAnalyticsContractTests : UsageAnalyticsContractTests<FreshProjectStores>;
