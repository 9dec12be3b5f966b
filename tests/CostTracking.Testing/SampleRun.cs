using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace CostTracking.Testing;

/// <summary>Runs the built sample (<c>samples/CostTracking.Sample</c>) as its own process, exactly as <c>dotnet run</c> would, and captures what it prints.</summary>
public static class SampleRun
{
    /// <summary>Runs the sample with arguments and environment variables, and waits for it to exit.</summary>
    /// <param name="arguments">The sample's command-line arguments.</param>
    /// <param name="environment">Variables to set (a <see langword="null"/> value removes one) in the sample's environment.</param>
    /// <param name="timeout">How long it may take before it is killed and the run fails.</param>
    /// <returns>The exit code and everything written to standard output and standard error.</returns>
    public static async Task<SampleOutput> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var dll = SamplePath();
        File.Exists(dll).Should().BeTrue($"the sample is built with the tests (expected {dll})");

        // DOTNET_HOST_PATH is set by the dotnet CLI for the processes it starts (the test host among them).
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The sample did not finish within {timeout ?? TimeSpan.FromMinutes(2)}. It printed:\n{stdout}\n{stderr}");
        }

        // The parameterless wait drains the redirected streams after the process has exited.
        process.WaitForExit();
        return new SampleOutput(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    // samples/CostTracking.Sample/bin/<configuration>/net10.0/CostTracking.Sample.dll: the tests and the sample are built together.
    private static string SamplePath()
    {
        var configuration = typeof(SampleRun).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        return Path.Combine(Repository.Root, "samples", "CostTracking.Sample", "bin", configuration, "net10.0", "CostTracking.Sample.dll");
    }
}

/// <summary>What a run of the sample printed, and how it exited.</summary>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="StandardOutput">Everything written to standard output.</param>
/// <param name="StandardError">Everything written to standard error.</param>
public sealed record SampleOutput(int ExitCode, string StandardOutput, string StandardError);
