using CostTracking.Testing;

namespace CostTracking.AI.Tests.PublicApi;

[TestFixture]
public sealed class PublicApiTests
{
    [Test]
    public void CostTrackingAI_PublicApi_IsApproved() => PublicApiApproval.Verify(typeof(CostTracking.AI.CostTrackingChatClientOptions).Assembly);
}
