using System.Reflection;
using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace CostTracking.Testing;

/// <summary>Locks a package's public API: any change to it must be approved by updating the checked-in <c>.approved.txt</c> file.</summary>
public static class PublicApiApproval
{
    /// <summary>Compares an assembly's public API with the approved file beside the calling test; on a difference, writes a <c>.received.txt</c> file and fails.</summary>
    /// <param name="assembly">The package's assembly.</param>
    /// <param name="callerFile">Filled in by the compiler: the calling test's source file.</param>
    public static void Verify(Assembly assembly, [CallerFilePath] string callerFile = "")
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var api = assembly.GeneratePublicApi(new ApiGeneratorOptions
            {
                IncludeAssemblyAttributes = false,
                DenyNamespacePrefixes = [],

                // Compiler-generated state machine names change whenever a method is added: not part of the API.
                ExcludeAttributes = ["System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute", "System.Runtime.CompilerServices.AsyncStateMachineAttribute"],
            })
            .ReplaceLineEndings("\n");
        var folder = Path.GetDirectoryName(SourcePath(callerFile))!;
        var name = assembly.GetName().Name;
        var approvedPath = Path.Combine(folder, $"{name}.approved.txt");
        var receivedPath = Path.Combine(folder, $"{name}.received.txt");
        api.Should().NotBeNullOrWhiteSpace("a package has a public API");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : null;
        if (approved == api)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, api);
        Assert.Fail($"The public API of {name} changed. If the change is intended, approve it: copy {receivedPath} over {approvedPath}.");
    }

    // A CI build (ContinuousIntegrationBuild) maps source paths to "/_/...": resolve the mapped path against the
    // repository root instead.
    private static string SourcePath(string callerFile)
    {
        const string MappedRoot = "/_/";
        if (File.Exists(callerFile) || !callerFile.StartsWith(MappedRoot, StringComparison.Ordinal))
        {
            return callerFile;
        }

        return Path.Combine(Repository.Root, callerFile[MappedRoot.Length..]);
    }
}
