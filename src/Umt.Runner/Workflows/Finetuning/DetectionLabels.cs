using Umt.Plugins.Datasets.Ava;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>The actions a detection head predicts: an AVA label map, or SyntheticActions' motions on the synthetic dataset.</summary>
public static class DetectionLabels
{
    /// <param name="labelMap">The <c>--labelmap</c> file, or null.</param>
    /// <param name="dataset">The dataset plugin.</param>
    /// <exception cref="ConfigurationException">No label map for a dataset other than synthetic, or a file that does not exist.</exception>
    public static IReadOnlyList<AvaLabel> Resolve(string? labelMap, string dataset)
    {
        if (labelMap is null)
        {
            return dataset == "synthetic"
                ? SyntheticVocabulary.MotionActions()
                : throw new ConfigurationException($"--labelmap is required for the '{dataset}' dataset: the actions the head predicts (AVA: ava_action_list_v2.2.pbtxt).");
        }
        return File.Exists(labelMap)
            ? AvaLabelMap.Read(labelMap)
            : throw new ConfigurationException($"--labelmap: '{labelMap}' does not exist.");
    }
}
