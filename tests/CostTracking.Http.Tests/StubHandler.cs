using System.Collections.Concurrent;
using System.Net;

namespace CostTracking.Http.Tests;

/// <summary>The network as the tests want it: answers every request with a set status, or throws, and remembers what it was sent.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public Exception? Throw { get; set; }

    public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return Answer(request);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) => Answer(request);

    private HttpResponseMessage Answer(HttpRequestMessage request)
    {
        Requests.Enqueue(request);
        if (Throw is not null)
        {
            throw Throw;
        }

        return new HttpResponseMessage(Status) { RequestMessage = request, Content = new StringContent("{}") };
    }
}
