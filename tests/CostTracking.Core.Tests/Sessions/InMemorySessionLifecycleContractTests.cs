using CostTracking.Testing;

namespace CostTracking.Tests.Sessions;

/// <summary>The session lifecycle suite on the in-memory store: a fresh store per test.</summary>
public sealed class InMemorySessionLifecycleContractTests : SessionLifecycleContractTests<InMemoryStores>;
