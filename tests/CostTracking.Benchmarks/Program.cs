using BenchmarkDotNet.Running;
using CostTracking.Benchmarks.Firestore;

// Run all benchmarks:       dotnet run -c Release --project tests/CostTracking.Benchmarks -- --filter '*'
// Run one class:            dotnet run -c Release --project tests/CostTracking.Benchmarks -- --filter '*Pricing*'
// Firestore throughput:     dotnet run -c Release --project tests/CostTracking.Benchmarks -- firestore [--ops N] [--concurrency 1,8,32] [--rounds R] [--batch-delay-ms D] [--batch-size S] [--in-flight K]
if (args.Length > 0 && args[0] == "firestore")
{
    return await FirestoreThroughput.RunAsync(args[1..]).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
