using CostTracking.Firestore.Tests.Support;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the budget suite, unchanged, on the Firestore store on the emulator: a project of its own per test.</summary>
public sealed class FirestoreBudgetServiceContractTests : BudgetServiceContractTests<FreshProjectStores>;
