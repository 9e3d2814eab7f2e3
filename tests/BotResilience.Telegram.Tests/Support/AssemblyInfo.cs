// Loopback timing tests are sensitive to CPU starvation on the 2-core CI machine: run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
