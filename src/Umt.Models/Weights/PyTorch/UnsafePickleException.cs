namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// A PyTorch weight file's pickle names a global (a Python function or class) outside the
/// allow-list of data constructors. The reader never calls anything a pickle names, so nothing
/// was executed; the file is refused because a Python loader would have run that global.
/// (An <see cref="IOException"/>: <see cref="InvalidDataException"/>, which the readers throw for
/// damaged files, is sealed.)
/// </summary>
public sealed class UnsafePickleException : IOException
{
    /// <summary>Creates the exception for the global <paramref name="module"/>.<paramref name="name"/> found in <paramref name="path"/>.</summary>
    public UnsafePickleException(string path, string module, string name)
        : base($"Refused PyTorch weight file '{path}': its pickle names the global '{module}.{name}', which is not a " +
               "tensor, storage, container or TorchScript module class; nothing was executed (the file is only ever " +
               "read as data), but a Python loader would have called it. Re-save the weights as a plain state dict " +
               "or as safetensors.")
    {
        Path = path;
        Module = module;
        Name = name;
    }

    /// <summary>The refused file.</summary>
    public string Path { get; }

    /// <summary>The global's module, e.g. <c>posix</c>.</summary>
    public string Module { get; }

    /// <summary>The global's name within its module, e.g. <c>system</c>.</summary>
    public string Name { get; }
}
