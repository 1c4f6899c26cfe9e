# cmake -DACCEL=<accel binary> -DOUTPUT_DIR=<dir> -P generate_shell_files.cmake
# Runs `accel __generate <kind>` for each file shell_files.cmake installs and
# fails the build, with accel's message, when one cannot be written.
file(MAKE_DIRECTORY ${OUTPUT_DIR})
foreach(pair IN ITEMS "man;accel.1" "bash;accel.bash" "zsh;_accel" "fish;accel.fish")
  list(GET pair 0 kind)
  list(GET pair 1 name)
  execute_process(COMMAND ${ACCEL} __generate ${kind}
    OUTPUT_FILE ${OUTPUT_DIR}/${name}.tmp
    ERROR_VARIABLE error
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "`${ACCEL} __generate ${kind}` failed (${status}): ${error}")
  endif()
  # Renamed into place so an interrupted build never leaves half a file.
  file(RENAME ${OUTPUT_DIR}/${name}.tmp ${OUTPUT_DIR}/${name})
endforeach()
