using CostTracking.Testing;

namespace CostTracking.Tests.Budgets;

/// <summary>The budget suite on the in-memory store: a fresh store per test.</summary>
public sealed class InMemoryBudgetServiceContractTests : BudgetServiceContractTests<InMemoryStores>;
