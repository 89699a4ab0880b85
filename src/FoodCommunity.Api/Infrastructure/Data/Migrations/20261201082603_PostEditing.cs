using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FoodCommunity.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class PostEditing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "edited_at",
                table: "posts",
                type: "datetime(6)",
                precision: 6,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "edited_at",
                table: "posts");
        }
    }
}
