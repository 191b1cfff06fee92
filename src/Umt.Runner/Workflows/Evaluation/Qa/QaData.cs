using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Evaluation.Qa;

/// <summary>The questions a synthetic run's held-out dataset carries.</summary>
public static class QaData
{
    /// <summary>One generated question per clip of the plan's synthetic dataset (its seed, split and size).</summary>
    public static QaQuestionSet SyntheticQuestions(RunPlan plan) =>
        plan.Dataset.Options is SyntheticOptions options
            ? QaQuestionSet.Synthetic(options)
            : throw new ConfigurationException($"{plan.Dataset.OptionsPath}: the '{plan.Dataset.Entry.Name}' dataset carries no questions; give a QA annotations file.");
}
