namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// An instance of an allow-listed class from a pickle, kept inert: its qualified class name and
/// the state its BUILD opcode gave it. Two kinds reach it: TorchScript module objects of an
/// archive's <c>data.pkl</c> (<c>__torch__.*</c>; state = attribute name → parameter, buffer,
/// submodule or plain value) and <c>argparse.Namespace</c>, the <c>args</c> the reference stores
/// beside the weights of a training checkpoint (state = option name → value). No class code is
/// ever run.
/// </summary>
internal sealed class InertObject(string className)
{
    /// <summary>The qualified class name, e.g. <c>__torch__.torch.nn.modules.conv.Conv2d</c>.</summary>
    public string ClassName { get; } = className;

    /// <summary>The BUILD state; null until BUILD runs.</summary>
    public object? State { get; set; }

    /// <inheritdoc/>
    public override string ToString() => ClassName;
}
