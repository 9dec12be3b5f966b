using CostTracking.Firestore;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests.PublicApi;

[TestFixture]
public sealed class PublicApiTests
{
    [Test]
    public void CostTrackingFirestore_PublicApi_IsApproved() => PublicApiApproval.Verify(typeof(FirestoreUsageStore).Assembly);
}
