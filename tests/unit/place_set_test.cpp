#include "pipeline/load/place_set.hpp"

#include <gtest/gtest.h>

namespace pipeline::load {
namespace {

TEST(PlaceSetTest, NumbersFileRowsInOrderAndRejectsARepeatedCity) {
  PlaceSet places;
  EXPECT_FALSE(places.add_from_file({"Kelso", "Roxburghshire", "Scotland"}, 2));
  EXPECT_FALSE(places.add_from_file({"Annan", "Dumfriesshire", "Scotland"}, 3));
  const auto repeated = places.add_from_file({"Kelso", "Other", "Scotland"}, 9);
  ASSERT_TRUE(repeated);
  EXPECT_EQ(*repeated, "'Kelso' is listed twice: first at line 2");
  ASSERT_NE(places.find("Kelso"), nullptr);
  EXPECT_EQ(places.find("Kelso")->id, 1u);
  EXPECT_EQ(places.find("Kelso")->county, "Roxburghshire");
  EXPECT_EQ(places.find("Annan")->id, 2u);
  EXPECT_EQ(places.find("kelso"), nullptr);  // exact match, as the database's utf8mb4_bin
  EXPECT_EQ(places.changes().size(), 2u);
}

TEST(PlaceSetTest, MergesStoredPlacesForAppend) {
  PlaceSet places;
  places.add_stored(7, "Kelso", "Roxburghshire", "Scotland");
  places.add_stored(9, "Annan", "Dumfriesshire", "Scotland");
  places.add_stored(4, "Keith", "Moray", "Scotland");
  EXPECT_FALSE(places.add_from_file({"Kelso", "Roxburghshire", "Scotland"}, 2));          // unchanged
  EXPECT_FALSE(places.add_from_file({"Annan", "Dumfries and Galloway", "Scotland"}, 3));  // changed
  EXPECT_FALSE(places.add_from_file({"Newtown", "Powys", "Wales"}, 4));                   // new: after the largest id
  EXPECT_EQ(places.find("Kelso")->change, Place::Change::kUnchanged);
  EXPECT_EQ(places.find("Annan")->change, Place::Change::kChanged);
  EXPECT_EQ(places.find("Annan")->county, "Dumfries and Galloway");
  EXPECT_EQ(places.find("Annan")->id, 9u);
  EXPECT_EQ(places.find("Newtown")->id, 10u);
  EXPECT_EQ(places.find("Keith")->change, Place::Change::kStored);
  const auto changes = places.changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0]->city, "Annan");
  EXPECT_EQ(changes[1]->city, "Newtown");
}

TEST(PlaceSetTest, ExplainsUnknownCities) {
  PlaceSet places;
  places.note_rejected("Kelso", 5);
  EXPECT_EQ(places.unknown_reason("Kelso", false), "'Kelso' names a places.csv row that was rejected (line 5)");
  EXPECT_EQ(places.unknown_reason("Atlantis", false), "'Atlantis' is not a city in places.csv");
  EXPECT_EQ(places.unknown_reason("Atlantis", true), "'Atlantis' is not a city in places.csv or the places table");
}

}  // namespace
}  // namespace pipeline::load
