using System.Globalization;
using CostTracking.Firestore;
using CostTracking.Firestore.Internal;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Validates <see cref="FirestoreStoreOptions"/> at start; each failure names the option.</summary>
internal sealed class FirestoreStoreOptionsValidator : IValidateOptions<FirestoreStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, FirestoreStoreOptions options)
    {
        var problems = Check(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static List<string> Check(FirestoreStoreOptions options)
    {
        var problems = new List<string>();
        const string prefix = nameof(FirestoreStoreOptions) + ".";
        if (string.IsNullOrWhiteSpace(options.ProjectId))
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.ProjectId)} is required: the Google Cloud project that holds the Firestore database (with the emulator, any id of lowercase letters, digits and '-').");
        }
        else if (!IsProjectId(options.ProjectId))
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.ProjectId)} '{options.ProjectId}' is not a project id: use lowercase letters, digits, '-' (and '.' or ':' for a domain-scoped project).");
        }

        if (string.IsNullOrWhiteSpace(options.DatabaseId))
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.DatabaseId)} is required; the default is '{FirestoreDefaults.DatabaseId}'.");
        }
        else if (options.DatabaseId != FirestoreDefaults.DatabaseId && !IsDatabaseId(options.DatabaseId))
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.DatabaseId)} '{options.DatabaseId}' is not a database id: use '{FirestoreDefaults.DatabaseId}' or lowercase letters, digits and '-', starting with a letter.");
        }

        if (options.EmulatorHost is { } host && !IsHostAndPort(host))
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.EmulatorHost)} '{host}' is not host:port (such as 127.0.0.1:8080, as in {FirestoreDefaults.EmulatorHostVariable}).");
        }

        if (options.EmulatorHost is null && options.CredentialsFile is { } file && !File.Exists(file))
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.CredentialsFile)} '{file}' does not exist; give the path of a service account key file, or leave it unset for Application Default Credentials.");
        }

        if (options.MaxRetryAttempts < 0 || options.MaxRetryAttempts > FirestoreDefaults.MaxRetryAttemptsCeiling)
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.MaxRetryAttempts)} must be 0 to {FirestoreDefaults.MaxRetryAttemptsCeiling} (value: {options.MaxRetryAttempts}).");
        }

        if (options.InitialRetryDelay <= TimeSpan.Zero || options.InitialRetryDelay > FirestoreDefaults.MaxDelayCeiling)
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.InitialRetryDelay)} must be above zero and at most {FirestoreDefaults.MaxDelayCeiling} (value: {options.InitialRetryDelay}).");
        }

        if (options.MaxRetryDelay < options.InitialRetryDelay || options.MaxRetryDelay > FirestoreDefaults.MaxDelayCeiling)
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.MaxRetryDelay)} must be at least {nameof(FirestoreStoreOptions.InitialRetryDelay)} and at most {FirestoreDefaults.MaxDelayCeiling} (value: {options.MaxRetryDelay}).");
        }

        if (options.RequestTimeout < FirestoreDefaults.MinRequestTimeout || options.RequestTimeout > FirestoreDefaults.MaxRequestTimeout)
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.RequestTimeout)} must be {FirestoreDefaults.MinRequestTimeout} to {FirestoreDefaults.MaxRequestTimeout} (value: {options.RequestTimeout}).");
        }

        if (!Enum.IsDefined(options.WriteMode))
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.WriteMode)} must be {nameof(FirestoreWriteMode.Immediate)} or {nameof(FirestoreWriteMode.GroupCommit)} (value: {options.WriteMode}).");
        }

        if (options.MaxBatchDelay < TimeSpan.Zero || options.MaxBatchDelay > FirestoreDefaults.MaxBatchDelayCeiling)
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.MaxBatchDelay)} must be 0 to {FirestoreDefaults.MaxBatchDelayCeiling} (value: {options.MaxBatchDelay}).");
        }

        if (options.MaxBatchSize < 1 || options.MaxBatchSize > FirestoreDefaults.MaxBatchSizeCeiling)
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.MaxBatchSize)} must be 1 to {FirestoreDefaults.MaxBatchSizeCeiling} (value: {options.MaxBatchSize}).");
        }

        if (options.MaxCommitsInFlight < 1 || options.MaxCommitsInFlight > FirestoreDefaults.MaxCommitsInFlightCeiling)
        {
            problems.Add($"{prefix}{nameof(FirestoreStoreOptions.MaxCommitsInFlight)} must be 1 to {FirestoreDefaults.MaxCommitsInFlightCeiling} (value: {options.MaxCommitsInFlight}).");
        }

        return problems;
    }

    private static bool IsProjectId(string id) =>
        char.IsAsciiLetterLower(id[0]) || char.IsAsciiDigit(id[0])
            ? id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.' or ':')
            : false;

    private static bool IsDatabaseId(string id) =>
        id.Length <= 63 && char.IsAsciiLetterLower(id[0]) && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static bool IsHostAndPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0
            && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535
            && Uri.CheckHostName(value[..colon].Trim('[', ']')) != UriHostNameType.Unknown;
    }
}
