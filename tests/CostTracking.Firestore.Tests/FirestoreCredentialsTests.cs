using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CostTracking.Firestore.Tests.Support;
using CostTracking.Storage;

namespace CostTracking.Firestore.Tests;

/// <summary>
/// Production authentication end to end, on loopback: a real service-account key file whose <c>token_uri</c> is a local OAuth
/// token endpoint, Google.Apis.Auth signing the JWT grant, and the store's production requests carried to the emulator
/// by rewriting only their host (<c>https://firestore.googleapis.com</c> to the emulator), so that Firestore itself answers.
/// </summary>
public sealed class FirestoreCredentialsTests : EmulatorFixture
{
    private const string DatastoreScope = "https://www.googleapis.com/auth/datastore";

    [Test]
    public async Task ServiceAccountFile_FetchesOneScopedTokenAndSendsItOnEveryRequest()
    {
        using var endpoint = TokenEndpoint.Start(HttpStatusCode.OK, """{"access_token":"{token}","expires_in":3600,"token_type":"Bearer"}""");
        using var key = ServiceAccountKey.Write(endpoint.TokenUri);
        var rewrite = new ProductionToEmulatorHandler(new SocketsHttpHandler(), FirestoreEmulator.Host);
        using var http = new HttpClient(rewrite);
        using var store = new FirestoreUsageStore(http, new FirestoreStoreOptions { ProjectId = ProjectId, EmulatorHost = null, CredentialsFile = key.Path });
        var user = "user-" + Guid.NewGuid().ToString("N");

        await store.RecordOperationAsync(Operation(user, "op-1"));
        await store.RecordOperationAsync(Operation(user, "op-2"));
        var summary = await store.GetMonthlySummaryAsync(user, UsageType.ApiUsage, BaseMonth);

        summary.OperationCount.Should().Be(2, "the production requests reached Firestore and were accepted");
        (await Raw.GetAsync($"ApiUsage/{user}/operations/op-1")).Should().NotBeNull();
        endpoint.Grants.Should().ContainSingle("the token is cached across requests");
        var grant = endpoint.Grants.Single();
        grant["grant_type"].Should().Be("urn:ietf:params:oauth:grant-type:jwt-bearer");
        var claims = JwtPayload(grant["assertion"]);
        claims.GetProperty("scope").GetString().Should().Be(DatastoreScope);
        claims.GetProperty("iss").GetString().Should().Be(ServiceAccountKey.ClientEmail);
        claims.GetProperty("aud").GetString().Should().Be("https://oauth2.googleapis.com/token", "Google.Apis.Auth names Google's token audience in the grant, whatever the file's token_uri");
        JwtSignatureIsValid(grant["assertion"], key.PublicKey).Should().BeTrue("the grant is signed with the file's private key");
        rewrite.Requests.Should().HaveCount(3).And.OnlyContain(r => r.Host == "firestore.googleapis.com" && r.Scheme == "https");
        rewrite.Requests.Should().OnlyContain(r => r.Authorization == "Bearer " + endpoint.AccessToken);
    }

    [Test]
    public async Task ServiceAccountFile_TokenRefused_ThrowsUnauthenticatedNamingTheOAuthErrorAndSendsNothingToFirestore()
    {
        using var endpoint = TokenEndpoint.Start(HttpStatusCode.BadRequest, """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}""");
        using var key = ServiceAccountKey.Write(endpoint.TokenUri);
        var rewrite = new ProductionToEmulatorHandler(new SocketsHttpHandler(), FirestoreEmulator.Host);
        using var http = new HttpClient(rewrite);
        using var store = new FirestoreUsageStore(http, new FirestoreStoreOptions { ProjectId = ProjectId, EmulatorHost = null, CredentialsFile = key.Path });

        var thrown = await FluentActions.Awaiting(async () => await store.RecordOperationAsync(Operation("user-refused", "op-1")))
            .Should().ThrowAsync<FirestoreStoreException>();

        thrown.Which.Status.Should().Be("UNAUTHENTICATED");
        thrown.Which.Message.Should().Contain("invalid_grant").And.Contain("Invalid JWT Signature").And.Contain("CredentialsFile");
        thrown.Which.ToString().Should().NotContain(key.PrivateKeyBody).And.NotContain(endpoint.AccessToken);
        rewrite.Requests.Should().BeEmpty("no request goes to Firestore without a token");
        (await Raw.GetAsync("ApiUsage/user-refused/operations/op-1")).Should().BeNull();
    }

    private static UsageOperation Operation(string user, string id) => new()
    {
        OperationId = id,
        UserId = user,
        UsageType = UsageType.ApiUsage,
        Feature = "google_maps_place_details",
        Provider = "google_maps",
        Cost = 0.017m,
        IsBillableRun = true,
        Timestamp = BaseTime,
        Metadata = new Dictionary<string, object?>(),
    };

    private static JsonElement JwtPayload(string jwt) => JsonDocument.Parse(Base64Url(jwt.Split('.')[1])).RootElement.Clone();

    private static bool JwtSignatureIsValid(string jwt, RSA publicKey)
    {
        var parts = jwt.Split('.');
        return publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static byte[] Base64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    /// <summary>A service-account key file with a fresh RSA key, deleted on dispose.</summary>
    private sealed class ServiceAccountKey : IDisposable
    {
        public const string ClientEmail = "costtracking-test@test-project.iam.gserviceaccount.com";

        private readonly RSA _rsa;

        private ServiceAccountKey(string path, RSA rsa, string privateKeyBody)
        {
            Path = path;
            _rsa = rsa;
            PrivateKeyBody = privateKeyBody;
        }

        public string Path { get; }

        /// <summary>Gets a line of the key's base64 body: it must never appear in a message.</summary>
        public string PrivateKeyBody { get; }

        public RSA PublicKey => _rsa;

        public static ServiceAccountKey Write(string tokenUri)
        {
            var rsa = RSA.Create(2048);
            var pem = rsa.ExportPkcs8PrivateKeyPem();
            var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "costtracking-sa-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["type"] = "service_account",
                ["project_id"] = "test-project",
                ["private_key_id"] = "test-key-1",
                ["private_key"] = pem,
                ["client_email"] = ClientEmail,
                ["client_id"] = "1234567890",
                ["token_uri"] = tokenUri,
            }));
            return new ServiceAccountKey(path, rsa, pem.Split('\n')[2]);
        }

        public void Dispose()
        {
            File.Delete(Path);
            _rsa.Dispose();
        }
    }

    /// <summary>An OAuth token endpoint on a free loopback port: answers every POST with a set status and body, and keeps the grants it received.</summary>
    private sealed class TokenEndpoint : IDisposable
    {
        private readonly HttpListener _listener;
        private readonly ConcurrentQueue<Dictionary<string, string>> _grants = new();
        private readonly Task _serving;

        private TokenEndpoint(HttpListener listener, string tokenUri, HttpStatusCode status, string body)
        {
            _listener = listener;
            TokenUri = tokenUri;

            // The emulator accepts a bearer value only if it is shaped as a JWT (three parts); it does not check the signature.
            AccessToken = string.Join('.', Convert.ToBase64String("""{"alg":"none"}"""u8).TrimEnd('='), Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"sub":"{{ClientEmailSubject}}","n":"{{Guid.NewGuid():N}}"}""")).TrimEnd('='), "c2ln");
            var answer = body.Replace("{token}", AccessToken, StringComparison.Ordinal);
            _serving = Task.Run(() => ServeAsync(status, answer));
        }

        private const string ClientEmailSubject = "costtracking-test";

        public string TokenUri { get; }

        public string AccessToken { get; }

        public IReadOnlyList<Dictionary<string, string>> Grants => _grants.ToArray();

        public static TokenEndpoint Start(HttpStatusCode status, string body)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            return new TokenEndpoint(listener, $"http://127.0.0.1:{port}/token", status, body);
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }

        private async Task ServeAsync(HttpStatusCode status, string answer)
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
                {
                    var form = await reader.ReadToEndAsync().ConfigureAwait(false);
                    _grants.Enqueue(form.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p.Length > 1 ? p[1] : "")));
                }

                var bytes = Encoding.UTF8.GetBytes(answer);
                context.Response.StatusCode = (int)status;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
                context.Response.Close();
            }
        }
    }

    /// <summary>Sends the store's production requests to the emulator instead, changing only scheme, host and port, and records what they carried.</summary>
    private sealed class ProductionToEmulatorHandler(HttpMessageHandler inner, string emulatorHost) : DelegatingHandler(inner)
    {
        private readonly ConcurrentQueue<(string Scheme, string Host, string? Authorization)> _requests = new();

        public IReadOnlyList<(string Scheme, string Host, string? Authorization)> Requests => _requests.ToArray();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            _requests.Enqueue((uri.Scheme, uri.Host, request.Headers.Authorization?.ToString()));
            request.RequestUri = new UriBuilder(uri) { Scheme = "http", Host = emulatorHost.Split(':')[0], Port = int.Parse(emulatorHost.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
