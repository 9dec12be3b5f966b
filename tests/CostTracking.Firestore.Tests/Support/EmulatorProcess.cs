using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CostTracking.Firestore.Emulator;

/// <summary>One Cloud Firestore emulator: started on a free loopback port (its jar with java, or gcloud) and stopped with every process it started; or the one FIRESTORE_EMULATOR_HOST names, which is left running.</summary>
/// <remarks>Shared by the Firestore tests and the throughput harness of the benchmarks project (linked into both), so both start it the same way.</remarks>
internal sealed class EmulatorProcess : IAsyncDisposable
{
    private const string JarMain = "com.google.cloud.datastore.emulator.firestore.CloudFirestore";
    private const string KnownSdkRoot = "/usr/lib/google-cloud-sdk";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _workingDirectory;

    private EmulatorProcess()
    {
    }

    /// <summary>Gets the emulator's <c>host:port</c>.</summary>
    public string Host { get; private set; } = "";

    /// <summary>Gets why no emulator could be had, or <see langword="null"/> when it is running.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>A project id of its own for one fixture: <c>test-</c> and lowercase hex, as the emulator requires.</summary>
    public static string NewProjectId() => "test-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Starts an emulator (or finds the one FIRESTORE_EMULATOR_HOST names); check <see cref="Unavailable"/> afterwards.</summary>
    public static async Task<EmulatorProcess> StartAsync()
    {
        var emulator = new EmulatorProcess();
        await emulator.StartCoreAsync().ConfigureAwait(false);
        return emulator;
    }

    private async Task StartCoreAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        if (Environment.GetEnvironmentVariable("FIRESTORE_EMULATOR_HOST") is { Length: > 0 } host)
        {
            Host = host;
            if (!await WaitUntilReadyAsync(http, process: null).ConfigureAwait(false))
            {
                Unavailable = $"FIRESTORE_EMULATOR_HOST is {host}, but no Firestore emulator answered there within {StartTimeout.TotalSeconds:0} s.";
            }

            return;
        }

        var start = await FindLauncherAsync().ConfigureAwait(false);
        if (start is null)
        {
            Unavailable = "The Cloud Firestore emulator is not installed, so the Firestore tests cannot run. Install it with "
                + "'gcloud components install cloud-firestore-emulator' or 'apt-get install google-cloud-cli-firestore-emulator' "
                + "(it needs Java), or start one yourself and set FIRESTORE_EMULATOR_HOST=host:port.";
            return;
        }

        var port = FreeLoopbackPort();
        Host = $"127.0.0.1:{port}";
        start.ArgumentList.Add(start.FileName.EndsWith("gcloud", StringComparison.Ordinal) ? $"--host-port={Host}" : "--host=127.0.0.1");
        if (!start.FileName.EndsWith("gcloud", StringComparison.Ordinal))
        {
            start.ArgumentList.Add($"--port={port}");
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _workingDirectory = Directory.CreateTempSubdirectory("firestore-emulator-").FullName;
        start.WorkingDirectory = _workingDirectory;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill();
        Console.CancelKeyPress += (_, _) => Kill();

        if (!await WaitUntilReadyAsync(http, process).ConfigureAwait(false))
        {
            string output;
            lock (_output)
            {
                output = _output.ToString();
            }

            Kill();
            Unavailable = $"The Firestore emulator ({start.FileName}) did not answer on {Host} within {StartTimeout.TotalSeconds:0} s. Its output:\n{output}";
        }
    }

    /// <summary>Stops the emulator this instance started (politely, then by killing its process tree); one it did not start is left alone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await http.PostAsync(new Uri($"http://{Host}/shutdown"), null).ConfigureAwait(false);
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(exited.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            // Not shut down politely: the kill below ends it.
        }

        Kill();
    }

    private void Kill()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // gcloud starts a shell script that starts java: end the whole tree.
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            process.Dispose();
            if (_workingDirectory is { } dir)
            {
                _workingDirectory = null;
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private async Task<bool> WaitUntilReadyAsync(HttpClient http, Process? process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process is { HasExited: true })
            {
                return false;
            }

            try
            {
                var text = await http.GetStringAsync(new Uri($"http://{Host}/")).ConfigureAwait(false);
                if (text.Trim() == "Ok")
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>The emulator's jar run with java directly when both are there (one process), otherwise gcloud.</summary>
    private static async Task<ProcessStartInfo?> FindLauncherAsync()
    {
        var gcloud = FindOnPath("gcloud");
        var java = FindOnPath("java")
            ?? (Environment.GetEnvironmentVariable("JAVA_HOME") is { Length: > 0 } javaHome && File.Exists(Path.Combine(javaHome, "bin", "java")) ? Path.Combine(javaHome, "bin", "java") : null);
        var sdkRoots = new List<string>();
        if (gcloud is not null && await RunAsync(gcloud, "info", "--format=value(installation.sdk_root)").ConfigureAwait(false) is { Length: > 0 } root)
        {
            sdkRoots.Add(root.Trim());
        }

        sdkRoots.Add(KnownSdkRoot);
        foreach (var sdkRoot in sdkRoots)
        {
            var jar = Path.Combine(sdkRoot, "platform", "cloud-firestore-emulator", "cloud-firestore-emulator.jar");
            if (java is not null && File.Exists(jar))
            {
                var start = new ProcessStartInfo(java);
                foreach (var arg in new[] { "-Duser.language=en", "-cp", jar, JarMain, "start" })
                {
                    start.ArgumentList.Add(arg);
                }

                return start;
            }

            if (gcloud is not null && Directory.Exists(Path.Combine(sdkRoot, "platform", "cloud-firestore-emulator")))
            {
                var start = new ProcessStartInfo(gcloud);
                foreach (var arg in new[] { "emulators", "firestore", "start", "--quiet" })
                {
                    start.ArgumentList.Add(arg);
                }

                return start;
            }
        }

        return null;
    }

    private static async Task<string?> RunAsync(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return process.ExitCode == 0 ? output : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or OperationCanceledException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }
}
