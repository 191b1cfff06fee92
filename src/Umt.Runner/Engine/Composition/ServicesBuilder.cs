using Microsoft.Extensions.DependencyInjection;

namespace Umt.Runner.Engine.Composition;

/// <summary>Builds the runner's services from the command's arguments after <paramref name="change"/>.</summary>
public delegate ServiceProvider ServicesBuilder(Func<CommonArguments, CommonArguments> change);
