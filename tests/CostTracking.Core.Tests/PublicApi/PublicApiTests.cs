using CostTracking.Testing;

namespace CostTracking.Tests.PublicApi;

[TestFixture]
public sealed class PublicApiTests
{
    [Test]
    public void CostTrackingCore_PublicApi_IsApproved() => PublicApiApproval.Verify(typeof(ICostTracker).Assembly);
}
