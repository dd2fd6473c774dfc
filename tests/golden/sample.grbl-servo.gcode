; strokebot VERSION, profile grbl-servo (bundled): GRBL 1.1 plotter, pen servo on
; the spindle PWM: M3 S<down> / M3 S<up>
; page 60 x 20 mm, Y up: flipped against the page height, pen width 1.5 mm
; 3 strokes, 14 points (simplified from 14, tolerance 0.75 mm)
; pen-down length 82.8 mm, pen-up travel 19.7 mm
; estimated plot time 5.9 s, the whole program from X0 Y0 Z0 (feed 2000 mm/min,
; G0 at the max rates); it assumes GRBL $110=4000 $111=4000 mm/min, $120=500
; $121=500 mm/s^2 (see yours with $$): a machine set slower plots slower
; Needs $32=0 (laser mode off) so that M3 S<value> moves the servo.
G21
G90
G94
M3 S30
G4 P0.15
G0 X21.000 Y10.000
M3 S90
G4 P0.15
G1 X19.243 Y5.050 F2000
G1 X15.000 Y3.000
G1 X10.757 Y5.050
G1 X9.000 Y10.000
G1 X10.757 Y14.950
G1 X15.000 Y17.000
G1 X19.243 Y14.950
G1 X21.000 Y10.000
M3 S30
G4 P0.15
G0 X35.000 Y17.000
M3 S90
G4 P0.15
G1 X38.000 Y3.000 F2000
G1 X41.000 Y17.000
G1 X44.000 Y3.000
M3 S30
G4 P0.15
G0 X47.500 Y5.000
M3 S90
G4 P0.15
M3 S30
G4 P0.15
G0 X0 Y0
M5
M2
