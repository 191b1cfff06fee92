using static TorchSharp.torch;

Console.WriteLine($"torch ready: {ones(2, 2).sum().item<float>()}");
return 0;
