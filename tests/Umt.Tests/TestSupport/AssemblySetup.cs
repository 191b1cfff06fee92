// libtorch state (seeds, thread pools, the default dtype) is process-global: tests that touch
// torch must not interleave, and on 2 cores parallel test classes would only add noise.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
