using CostTracking.Testing;

namespace CostTracking.Http.Tests.PublicApi;

[TestFixture]
public sealed class PublicApiTests
{
    [Test]
    public void CostTrackingHttp_PublicApi_IsApproved() => PublicApiApproval.Verify(typeof(CostTracking.Http.HttpCostTrackingOptions).Assembly);
}
