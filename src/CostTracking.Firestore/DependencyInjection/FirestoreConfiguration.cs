using System.Globalization;
using CostTracking.Firestore;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Binds <see cref="FirestoreStoreOptions"/> from configuration by hand: no reflection, invariant culture, and errors that name the key.</summary>
internal static class FirestoreConfiguration
{
    public static void Bind(IConfiguration section, FirestoreStoreOptions options)
    {
        options.ProjectId = section[nameof(FirestoreStoreOptions.ProjectId)] ?? options.ProjectId;
        options.DatabaseId = section[nameof(FirestoreStoreOptions.DatabaseId)] ?? options.DatabaseId;
        options.EmulatorHost = NullIfEmpty(section[nameof(FirestoreStoreOptions.EmulatorHost)]) ?? options.EmulatorHost;
        options.CredentialsFile = NullIfEmpty(section[nameof(FirestoreStoreOptions.CredentialsFile)]) ?? options.CredentialsFile;
        if (section[nameof(FirestoreStoreOptions.MaxRetryAttempts)] is { } retries)
        {
            options.MaxRetryAttempts = int.TryParse(retries, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw Invalid(section, nameof(FirestoreStoreOptions.MaxRetryAttempts), retries, "a whole number");
        }

        options.InitialRetryDelay = Duration(section, nameof(FirestoreStoreOptions.InitialRetryDelay)) ?? options.InitialRetryDelay;
        options.MaxRetryDelay = Duration(section, nameof(FirestoreStoreOptions.MaxRetryDelay)) ?? options.MaxRetryDelay;
        options.RequestTimeout = Duration(section, nameof(FirestoreStoreOptions.RequestTimeout)) ?? options.RequestTimeout;
        if (section[nameof(FirestoreStoreOptions.WriteMode)] is { } mode)
        {
            options.WriteMode = !int.TryParse(mode, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) && Enum.TryParse<FirestoreWriteMode>(mode, ignoreCase: true, out var m) && Enum.IsDefined(m)
                ? m
                : throw Invalid(section, nameof(FirestoreStoreOptions.WriteMode), mode, "Immediate or GroupCommit");
        }

        options.MaxBatchDelay = Duration(section, nameof(FirestoreStoreOptions.MaxBatchDelay)) ?? options.MaxBatchDelay;
        if (section[nameof(FirestoreStoreOptions.MaxBatchSize)] is { } size)
        {
            options.MaxBatchSize = int.TryParse(size, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw Invalid(section, nameof(FirestoreStoreOptions.MaxBatchSize), size, "a whole number");
        }

        if (section[nameof(FirestoreStoreOptions.MaxCommitsInFlight)] is { } inFlight)
        {
            options.MaxCommitsInFlight = int.TryParse(inFlight, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw Invalid(section, nameof(FirestoreStoreOptions.MaxCommitsInFlight), inFlight, "a whole number");
        }
    }

    private static TimeSpan? Duration(IConfiguration section, string key) =>
        section[key] is not { } text ? null
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
        : throw Invalid(section, key, text, "a duration such as 00:00:00.200");

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static InvalidOperationException Invalid(IConfiguration section, string key, string value, string expected)
    {
        var path = section is IConfigurationSection s ? $"{s.Path}:{key}" : key;
        return new InvalidOperationException($"Configuration value '{path}' = '{value}' is not {expected}.");
    }
}
