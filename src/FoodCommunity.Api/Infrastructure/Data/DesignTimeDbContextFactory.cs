using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>
/// Lets `dotnet ef migrations add` build the model without a running database or the whole host.
/// Migrations are generated for MySQL 8.4 and apply unchanged to MariaDB 10.11.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<FoodCommunityDbContext>
{
    public FoodCommunityDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<FoodCommunityDbContext>();
        DataSetup.Configure(options, "Server=localhost;Database=foodcommunity", new DatabaseOptions());
        return new FoodCommunityDbContext(options.Options);
    }
}
