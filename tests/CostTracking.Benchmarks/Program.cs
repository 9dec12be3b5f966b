using BenchmarkDotNet.Running;

// Run all benchmarks:       dotnet run -c Release --project tests/CostTracking.Benchmarks -- --filter '*'
// Run one class:            dotnet run -c Release --project tests/CostTracking.Benchmarks -- --filter '*Pricing*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
