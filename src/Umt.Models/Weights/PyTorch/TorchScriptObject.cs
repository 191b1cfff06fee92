namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// A TorchScript module object from an archive's <c>data.pkl</c> (a <c>__torch__.*</c> class), kept
/// inert: its qualified class name and the state its BUILD opcode gave it (for modules, a dict of
/// attribute name → parameter, buffer, submodule or plain value). No class code is ever run.
/// </summary>
internal sealed class TorchScriptObject(string className)
{
    /// <summary>The qualified class name, e.g. <c>__torch__.torch.nn.modules.conv.Conv2d</c>.</summary>
    public string ClassName { get; } = className;

    /// <summary>The BUILD state; null until BUILD runs.</summary>
    public object? State { get; set; }

    /// <inheritdoc/>
    public override string ToString() => ClassName;
}
