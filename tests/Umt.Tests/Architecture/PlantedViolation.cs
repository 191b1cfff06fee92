// A deliberate layering violation and cycle, read only by RunnerArchitectureTests to prove the
// architecture checks fail on one. The engine-side use is hidden in a lambda so the check must look
// into compiler-generated closures, not only at signatures.
namespace Umt.Tests.Architecture.Planted.Engine
{
    public static class PlantedEngineStep
    {
        public static Func<int> Later() => () => Workflows.PlantedWorkflow.Answer();
    }
}

namespace Umt.Tests.Architecture.Planted.Workflows
{
    public static class PlantedWorkflow
    {
        public static int Answer() => 42;

        public static int Run() => Engine.PlantedEngineStep.Later()();
    }
}
