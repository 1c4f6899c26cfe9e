#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include "config/launch_spec_settings.hpp"
#include "config/launch_spec_value.hpp"

using accel::config::PyValue;

namespace {
std::string yaml_text(const std::string& document) {
  const auto value = PyValue::from_yaml(YAML::Load(document)["v"]);
  return value ? value->text() : "<None>";
}
}  // namespace

TEST_CASE("floats render as Python's repr", "[launch_spec_value]") {
  using accel::config::python_float_repr;
  CHECK(python_float_repr(1.0) == "1.0");
  CHECK(python_float_repr(0.5) == "0.5");
  CHECK(python_float_repr(-2.25) == "-2.25");
  CHECK(python_float_repr(100000000.0) == "100000000.0");
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(0.0001) == "0.0001");
  CHECK(python_float_repr(0.00001) == "1e-05");
  CHECK(python_float_repr(0.1) == "0.1");
  CHECK(python_float_repr(0.0) == "0.0");
}

TEST_CASE("YAML scalars become the Python values PyYAML gives", "[launch_spec_value]") {
  CHECK(yaml_text("v: true") == "True");
  CHECK(yaml_text("v: no") == "False");
  CHECK(yaml_text("v: 'no'") == "no");
  CHECK(yaml_text("v: 2") == "2");
  CHECK(yaml_text("v: 0x10") == "16");
  CHECK(yaml_text("v: 1.0") == "1.0");
  CHECK(yaml_text("v: 1e8") == "1e8");  // no dot: a string to PyYAML
  CHECK(yaml_text("v: FULL_SHARD") == "FULL_SHARD");
  CHECK(yaml_text("v: null") == "<None>");
  CHECK(yaml_text("v: [BertLayer, 2]") == "['BertLayer', 2]");
}

TEST_CASE("lower() and truthiness follow Python", "[launch_spec_value]") {
  CHECK(PyValue::boolean(true).lower() == "true");
  CHECK(PyValue::str("false").truthy());  // a non-empty string is true
  CHECK_FALSE(PyValue::str("").truthy());
  CHECK_FALSE(PyValue::boolean(false).truthy());
  CHECK_FALSE(PyValue::integer(0).truthy());
}

TEST_CASE("flag text converts as argparse's type= does", "[launch_spec_value]") {
  using accel::config::find_launch_setting;
  using accel::config::setting_from_flag;
  CHECK(setting_from_flag(*find_launch_setting("gradient_clipping"), "1")->text() == "1.0");
  CHECK(setting_from_flag(*find_launch_setting("zero_stage"), "3")->text() == "3");
  CHECK_FALSE(setting_from_flag(*find_launch_setting("zero_stage"), "three"));
  CHECK(setting_from_flag(*find_launch_setting("fp8_pad_inner_dim"), "false")->text() == "0");
  CHECK(setting_from_flag(*find_launch_setting("fp8_override_linear_precision"), "false,true,no")
            ->text() == "0,1,0");
  CHECK(setting_from_flag(*find_launch_setting("megatron_lm_no_save_optim"), "false")->text() ==
        "True");
  const auto defaults = accel::config::default_launch_settings();
  CHECK(defaults.at("fsdp_min_num_params").text() == "100000000");
  CHECK(defaults.at("dynamo_mode").text() == "default");
  CHECK(defaults.at("dynamo_use_fullgraph").text() == "False");
  CHECK(defaults.at("fp8_enable_fsdp_float8_all_gather").text() == "1");
  CHECK_FALSE(defaults.contains("zero_stage"));
  CHECK_FALSE(defaults.contains("dynamo_backend"));
}
