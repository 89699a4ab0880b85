using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FoodCommunity.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class ProcessedImageSizes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "height",
                table: "post_images",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "width",
                table: "post_images",
                type: "int",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "height",
                table: "post_images");

            migrationBuilder.DropColumn(
                name: "width",
                table: "post_images");
        }
    }
}
