using System.Net;
using System.Text;

namespace CostTracking.Firestore.Tests.Support;

/// <summary>Counts the requests that pass through it.</summary>
internal sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private int _count;
    private readonly List<string> _urls = [];

    public int Count => Volatile.Read(ref _count);

    public IReadOnlyList<string> Urls
    {
        get
        {
            lock (_urls)
            {
                return _urls.ToArray();
            }
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        lock (_urls)
        {
            _urls.Add(request.RequestUri!.ToString());
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Lets the first <paramref name="times"/> commits reach Firestore, then throws as if their responses were lost on the way back.</summary>
internal sealed class LoseCommitResponsesHandler(HttpMessageHandler inner, int times = 1) : DelegatingHandler(inner)
{
    private int _left = times;

    public int Lost { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (request.RequestUri!.AbsolutePath.EndsWith(":commit", StringComparison.Ordinal) && Interlocked.Decrement(ref _left) >= 0)
        {
            response.EnsureSuccessStatusCode();
            response.Dispose();
            Lost++;
            throw new HttpRequestException("The connection was reset (test: the commit landed, its response was lost).");
        }

        return response;
    }
}

/// <summary>Answers the first <paramref name="times"/> requests whose path ends with <paramref name="pathSuffix"/> itself with a synthetic error, then passes everything through.</summary>
internal sealed class FailFirstHandler(HttpMessageHandler inner, HttpStatusCode code, string status, int times = 1, string pathSuffix = ":commit") : DelegatingHandler(inner)
{
    private int _left = times;
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    public static string ErrorBody(HttpStatusCode code, string status, string message) =>
        $$$"""{"error":{"code":{{{(int)code}}},"message":"{{{message}}}","status":"{{{status}}}"}}""";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        if (request.RequestUri!.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal) && Interlocked.Decrement(ref _left) >= 0)
        {
            return Task.FromResult(new HttpResponseMessage(code)
            {
                Content = new StringContent(ErrorBody(code, status, "synthetic " + status + " from a test"), Encoding.UTF8, "application/json"),
            });
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Holds every request until its token is cancelled.</summary>
internal sealed class HangingHandler : HttpMessageHandler
{
    private int _started;

    public int Started => Volatile.Read(ref _started);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _started);
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        throw new InvalidOperationException("unreachable");
    }
}

/// <summary>Keeps the body of every request whose path ends with <paramref name="pathSuffix"/>.</summary>
internal sealed class BodyRecordingHandler(HttpMessageHandler inner, string pathSuffix) : DelegatingHandler(inner)
{
    private readonly List<string> _bodies = [];

    public IReadOnlyList<string> Bodies
    {
        get
        {
            lock (_bodies)
            {
                return _bodies.ToArray();
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal) && request.Content is { } content)
        {
            var body = await content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            lock (_bodies)
            {
                _bodies.Add(body);
            }
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
