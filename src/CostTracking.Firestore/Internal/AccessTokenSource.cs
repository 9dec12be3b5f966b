using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;

namespace CostTracking.Firestore.Internal;

/// <summary>Hands out the bearer token for one request.</summary>
internal interface IAccessTokenSource
{
    ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}

/// <summary>The emulator's admin token: <c>Bearer owner</c> (any other non-JWT value is rejected; admin is needed for some calls).</summary>
internal sealed class EmulatorAccessTokenSource : IAccessTokenSource
{
    public static readonly EmulatorAccessTokenSource Instance = new();

    public ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult("owner");
}

/// <summary>Google credentials (Application Default Credentials or a service-account file), scoped to Firestore; the credential caches and refreshes its token.</summary>
/// <remarks>Loaded on first use, so a host starts without touching the network; a failed load is retried on the next call.</remarks>
internal sealed class GoogleAccessTokenSource(string? credentialsFile) : IAccessTokenSource
{
    private readonly Lock _lock = new();
    private Task<ITokenAccess>? _loading;

    public async ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        Task<ITokenAccess> loading;
        lock (_lock)
        {
            // One load shared by all callers, not tied to any caller's token; each caller waits with its own.
            loading = _loading ??= LoadAsync();
        }

        ITokenAccess credential;
        try
        {
            credential = await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FirestoreStoreException)
        {
            lock (_lock)
            {
                if (_loading == loading)
                {
                    _loading = null;
                }
            }

            throw;
        }

        try
        {
            return await credential.GetAccessTokenForRequestAsync(FirestoreDefaults.ProductionAudience, cancellationToken).ConfigureAwait(false);
        }
        catch (TokenResponseException ex)
        {
            // The OAuth error code and description name the problem (invalid_grant, …); they carry no secret.
            throw new FirestoreStoreException(
                "UNAUTHENTICATED",
                null,
                null,
                $"Google refused to issue an access token for Firestore ({ex.Error?.Error ?? "unknown error"}: {ex.Error?.ErrorDescription}). Check the credentials ({Describe()}).",
                innerException: null);
        }
    }

    private async Task<ITokenAccess> LoadAsync()
    {
        GoogleCredential credential;
        try
        {
            credential = credentialsFile is null
                ? await GoogleCredential.GetApplicationDefaultAsync(CancellationToken.None).ConfigureAwait(false)
                : (await CredentialFactory.FromFileAsync<ServiceAccountCredential>(credentialsFile, CancellationToken.None).ConfigureAwait(false)).ToGoogleCredential();
        }
        catch (Exception ex)
        {
            // Only messages known to hold no key material are passed on: a JSON parser's message may quote the file.
            var detail = ex is InvalidOperationException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
                ? ex.Message
                : ex.GetType().Name;
            throw new FirestoreStoreException(
                "UNAUTHENTICATED",
                null,
                null,
                $"Could not load Google credentials for Firestore from {Describe()}: {detail}",
                innerException: null);
        }

        return credential.CreateScoped(FirestoreDefaults.DatastoreScope);
    }

    private string Describe() => credentialsFile is null
        ? "Application Default Credentials"
        : $"the service account file '{credentialsFile}' (FirestoreStoreOptions.CredentialsFile)";
}
