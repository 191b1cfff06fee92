using static TorchSharp.torch;

namespace Umt.Abstractions.Objectives;

/// <summary>A training objective bound to its options (plugin kind <c>objective</c>).</summary>
public interface IObjective : IDisposable
{
    /// <summary>
    /// The objective's trainable head (a decoder, projections), or null. The runner moves it to
    /// the run's device, adds its parameters to the optimizer and saves it in checkpoints.
    /// </summary>
    nn.Module? Head { get; }

    /// <summary>
    /// Prefix of the head's keys in <c>model.safetensors</c>; null (the default) saves them under the
    /// objective's export name. A reference layout overrides it (umt-alignment's <c>clip_decoder</c>).
    /// </summary>
    string? CheckpointPrefix => null;

    /// <summary>Unweighted scalar loss for one batch; the runner applies the configured weight.</summary>
    Tensor ComputeLoss(ObjectiveContext context);
}
