using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Http.Tests;

// CostTrackingScope lives in CostTracking.Core; its tests sit here, beside the handler that reads it.
public sealed class CostTrackingScopeTests
{
    [Test]
    public void Begin_Nested_InnerIsCurrentAndDisposeRestoresOuter()
    {
        CostTrackingScope.Current.Should().BeNull();
        using (var outer = CostTrackingScope.Begin("user-a", "session-a"))
        {
            CostTrackingScope.Current.Should().BeSameAs(outer);
            using (var inner = CostTrackingScope.Begin("user-b"))
            {
                CostTrackingScope.Current.Should().BeSameAs(inner);
                inner.SessionId.Should().BeNull("a nested scope does not inherit the outer session");
            }

            CostTrackingScope.Current.Should().BeSameAs(outer);
        }

        CostTrackingScope.Current.Should().BeNull();
    }

    [TestCase("")]
    [TestCase("users/bob")]
    [TestCase("..")]
    [TestCase("__admin__")]
    public void Begin_InvalidUserId_ThrowsAndLeavesNoScope(string userId)
    {
        var begin = () => CostTrackingScope.Begin(userId);

        begin.Should().Throw<ArgumentException>();
        CostTrackingScope.Current.Should().BeNull();
    }

    [Test]
    public void Begin_InvalidSessionId_Throws()
    {
        var begin = () => CostTrackingScope.Begin("user-a", "a/b");

        begin.Should().Throw<ArgumentException>().WithParameterName("sessionId");
    }

    [Test]
    public void Dispose_OuterBeforeInner_EndsBoth()
    {
        var outer = CostTrackingScope.Begin("user-a");
        var inner = CostTrackingScope.Begin("user-b");

        outer.Dispose();
        CostTrackingScope.Current.Should().BeNull();

        inner.Dispose();
        CostTrackingScope.Current.Should().BeNull();
    }

    [Test]
    public void Dispose_Twice_DoesNotEndTheScopeBegunAfter()
    {
        var first = CostTrackingScope.Begin("user-a");
        first.Dispose();
        using var second = CostTrackingScope.Begin("user-b");

        first.Dispose();

        CostTrackingScope.Current.Should().BeSameAs(second);
    }

    [Test]
    public void BeginScope_OnTracker_BeginsAScope()
    {
        var collection = new ServiceCollection();
        collection.AddCostTracking();
        using var services = collection.BuildServiceProvider();
        var tracker = services.GetRequiredService<ICostTracker>();

        using (var scope = tracker.BeginScope("user-a", "session-a"))
        {
            CostTrackingScope.Current.Should().BeSameAs(scope);
            scope.UserId.Should().Be("user-a");
            scope.SessionId.Should().Be("session-a");
        }

        CostTrackingScope.Current.Should().BeNull();
    }

    [Test]
    public async Task Current_AcrossAwaitsAndTasks_FlowsWithTheScope()
    {
        using var scope = CostTrackingScope.Begin("user-a", "session-a");

        await Task.Yield();
        CostTrackingScope.Current.Should().BeSameAs(scope);
        await Task.Delay(1);
        CostTrackingScope.Current.Should().BeSameAs(scope);
        (await Task.Run(() => CostTrackingScope.Current)).Should().BeSameAs(scope);
        await Task.Run(async () =>
        {
            await Task.Yield();
            CostTrackingScope.Current.Should().BeSameAs(scope);
        });
    }

    [Test]
    public async Task Current_ScopeBegunInsideAnAsyncMethod_DoesNotLeakToTheCaller()
    {
        await BeginWithoutDisposingAsync();

        CostTrackingScope.Current.Should().BeNull();

        static async Task BeginWithoutDisposingAsync()
        {
            await Task.Yield();
            CostTrackingScope.Begin("user-leaky");
        }
    }

    [Test]
    public async Task Current_FiftyConcurrentRequests_EachSeesOnlyItsOwnUser()
    {
        using var start = new ManualResetEventSlim();
        var seen = new string?[50];

        var requests = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            start.Wait();
            using (CostTrackingScope.Begin($"user-{i}"))
            {
                for (var step = 0; step < 5; step++)
                {
                    await Task.Delay(i % 3);
                    if (CostTrackingScope.Current?.UserId != $"user-{i}")
                    {
                        seen[i] = CostTrackingScope.Current?.UserId ?? "(none)";
                        return;
                    }
                }

                seen[i] = CostTrackingScope.Current?.UserId;
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(requests);

        seen.Should().Equal(Enumerable.Range(0, 50).Select(i => $"user-{i}"));
        CostTrackingScope.Current.Should().BeNull();
    }
}
